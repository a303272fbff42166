import Testing
import NIOCore
import NIOPosix
import WakuTestSupport

@testable import Libp2p

/// Hex helpers and the libp2p vector file.
enum Hex {
    static func bytes(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            out.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return out
    }

    static func string(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }
}

enum LibP2PVectors {
    static func load() throws -> [String: Any] { try Vectors.json("libp2p.json") }

    static func list(_ key: String) throws -> [[String: Any]] {
        try #require(try load()[key] as? [[String: Any]])
    }
}

extension ByteBuffer {
    init(hex: String) { self.init(bytes: Hex.bytes(hex)) }
}

/// Two or more real hosts on 127.0.0.1 with `run()` going, shut down afterwards.
enum LoopbackHosts {
    static let echoProtocol = "/test/echo/1.0.0"

    static func configuration(_ change: (inout HostConfiguration) -> Void = { _ in }) -> HostConfiguration {
        var configuration = HostConfiguration(agentVersion: "wakusync-test/0.0.1")
        configuration.readTimeout = .seconds(20)
        change(&configuration)
        return configuration
    }

    /// Echoes length-prefixed messages until the peer closes its side.
    static let echo: Libp2pHost.Handler = { stream in
        while let message = try await stream.readMessage() {
            try await stream.writeMessage(message)
        }
    }

    static func with(
        _ count: Int = 2,
        keyTypes: [KeyType] = [.secp256k1, .ed25519],
        configuration: HostConfiguration = LoopbackHosts.configuration(),
        _ body: ([Libp2pHost], [Multiaddr]) async throws -> Void
    ) async throws {
        var hosts: [Libp2pHost] = []
        for index in 0..<count {
            let host = try Libp2pHost(
                key: try PrivateKey.generate(keyTypes[index % keyTypes.count]),
                listenAddresses: [try Multiaddr(parsing: "/ip4/127.0.0.1/tcp/0")],
                configuration: configuration,
                group: MultiThreadedEventLoopGroup.singleton
            )
            host.register(protocolID: echoProtocol, handler: echo)
            hosts.append(host)
        }
        try await withThrowingTaskGroup { group in
            var addresses: [Multiaddr] = []
            for host in hosts {
                addresses.append(try await host.start()[0])
                group.addTask { try await host.run() }
            }
            do {
                try await body(hosts, addresses)
            } catch {
                for host in hosts { await host.shutdown() }
                throw error
            }
            for host in hosts { await host.shutdown() }
            try await group.waitForAll()
        }
    }
}
