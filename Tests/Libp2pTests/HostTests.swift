import NIOCore
import Testing

@testable import Libp2p

@Suite("two hosts over loopback", .timeLimit(.minutes(1)))
struct HostTests {
    @Test("dial, identify both ways, echo and ping over yamux")
    func dialIdentifyEcho() async throws {
        try await LoopbackHosts.with { hosts, addresses in
            let peer = try await hosts[0].dial(addresses[1], timeout: .seconds(5))
            #expect(peer == hosts[1].peerID)
            let stream = try await hosts[0].openStream(to: peer, protocolID: LoopbackHosts.echoProtocol)
            try await stream.writeMessage(Array("hello".utf8))
            #expect(try await stream.readMessage() == Array("hello".utf8))
            try await stream.closeWrite()
            #expect(try await stream.readMessage() == nil)
            await stream.close()
            let rtt = try await hosts[0].ping(peer)
            #expect(rtt < .seconds(1))
        }
    }
}
