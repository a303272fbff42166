import Foundation
import NIOCore
import NIOPosix
import Testing
import WakuTestSupport

@testable import Libp2p

/// Our host against py-libp2p 0.8.1 (`.venv`, made by scripts/setup-python.sh): both directions,
/// both identity key types, yamux and mplex.
@Suite("interop with py-libp2p", .serialized, .timeLimit(.minutes(1)))
struct InteropTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let keyType: KeyType
        let muxer: Muxer
        var testDescription: String { "\(self.keyType), \(self.muxer == .yamux ? "yamux" : "mplex")" }
    }

    static let cases = [
        Case(keyType: .secp256k1, muxer: .yamux),
        Case(keyType: .ed25519, muxer: .yamux),
        Case(keyType: .secp256k1, muxer: .mplex),
        Case(keyType: .ed25519, muxer: .mplex),
    ]

    static let sizes = [1, 1000, 65535, 65536, 262_144, 300_000, 1 << 20]

    static let script = "Tests/Libp2pTests/Interop/py_peer.py"

    @Test("py-libp2p dials us: identify, ping and echo from 1 byte to 1 MiB", arguments: cases)
    func pythonDials(_ testCase: Case) async throws {
        try PythonPeer.requireVenv()
        let configuration = LoopbackHosts.configuration { $0.muxers = [testCase.muxer] }
        try await LoopbackHosts.with(1, keyTypes: [testCase.keyType], configuration: configuration) {
            hosts,
            addresses in
            let host = hosts[0]
            let arguments = [
                "dial", "--target", "\(addresses[0])", "--key-type", "\(testCase.keyType)",
                "--muxer", testCase.muxer == .yamux ? "yamux" : "mplex", "--seconds", "40",
            ]
            let result = try await PythonPeer.run(Self.script, arguments) { lines in
                let json = try await lines.first("RESULT ")
                return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            }
            #expect(result["peer"] as? String == host.peerID.description)
            #expect(result["agent"] as? String == "wakusync-test/0.0.1")
            let protocols = result["protocols"] as? [String] ?? []
            #expect(protocols.contains(LoopbackHosts.echoProtocol))
            #expect(protocols.contains(IdentifyInfo.protocolID))
            #expect(protocols.contains(Libp2pHost.pingProtocolID))
            #expect(result["identify_key_ok"] as? Bool == true)
            #expect(result["ping_ok"] as? Bool == true)
            #expect(result["echo_sizes"] as? [Int] == Self.sizes)
        }
    }

    @Test("we dial py-libp2p: identify, ping and echo from 1 byte to 1 MiB", arguments: cases)
    func weDial(_ testCase: Case) async throws {
        try PythonPeer.requireVenv()
        let configuration = LoopbackHosts.configuration { $0.muxers = [testCase.muxer] }
        try await LoopbackHosts.with(1, keyTypes: [testCase.keyType], configuration: configuration) { hosts, _ in
            let host = hosts[0]
            let arguments = [
                "listen", "--key-type", "\(testCase.keyType)",
                "--muxer", testCase.muxer == .yamux ? "yamux" : "mplex", "--seconds", "40",
            ]
            try await PythonPeer.run(Self.script, arguments) { lines in
                let address = try Multiaddr(parsing: try await lines.first("LISTEN "))
                let peer = try await host.dial(address, timeout: .seconds(10))
                #expect(peer == address.peerID)
                #expect(await host.muxer(of: peer) == testCase.muxer)

                let info = try await Self.identified(peer, on: host)
                #expect(info.agentVersion?.hasPrefix("py-libp2p") == true)
                #expect(info.publicKey.map(PeerID.init(publicKey:)) == peer)
                #expect(info.protocols.contains(LoopbackHosts.echoProtocol))

                let rtt = try await host.ping(peer)
                #expect(rtt < .seconds(5))

                let stream = try await host.openStream(to: peer, protocolID: LoopbackHosts.echoProtocol)
                var generator = SystemRandomNumberGenerator()
                for size in Self.sizes {
                    let payload = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
                    try await stream.writeMessage(payload)
                    let echoed = try await stream.readMessage(timeout: .seconds(20))
                    #expect(echoed == payload, "echo of \(size) bytes")
                }
                try await stream.closeWrite()
                #expect(try await stream.readMessage() == nil)
                await stream.close()
            }
        }
    }

    /// The identify record of `peer`, waiting for the host's automatic identify to finish.
    static func identified(_ peer: PeerID, on host: Libp2pHost) async throws -> IdentifyInfo {
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if let info = await host.identifyInfo(of: peer) { return info }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("\(peer) was not identified within 15 s")
        throw CancellationError()
    }
}
