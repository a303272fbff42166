import NIOCore
import NIOPosix
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
            let info = try await InteropTests.identified(peer, on: hosts[0])
            #expect(info.agentVersion == "wakusync-test/0.0.1")
            #expect(info.protocols.contains(LoopbackHosts.echoProtocol))
            #expect(info.listenAddresses == [addresses[1].withoutPeerID])
            #expect(info.observedAddress != nil)
            let back = try await InteropTests.identified(hosts[0].peerID, on: hosts[1])
            #expect(back.publicKey.map(PeerID.init(publicKey:)) == hosts[0].peerID)
        }
    }

    @Test("a second dial reuses the connection; /dns4/localhost resolves; a wrong /p2p is refused")
    func dialReuseAndDNS() async throws {
        try await LoopbackHosts.with(3) { hosts, addresses in
            let port = addresses[1].components.compactMap { if case .tcp(let port) = $0 { port } else { nil } }.first!
            let viaDNS = try Multiaddr(parsing: "/dns4/localhost/tcp/\(port)/p2p/\(hosts[1].peerID)")
            async let first = hosts[0].dial(viaDNS)
            async let second = hosts[0].dial(addresses[1])
            #expect(try await [first, second] == [hosts[1].peerID, hosts[1].peerID])
            #expect(try await hosts[0].dial(addresses[1]) == hosts[1].peerID)
            #expect(await hosts[0].connectedPeers == [hosts[1].peerID])
            let wrong = addresses[2].appending(peerID: try PrivateKey.generate().peerID)
            let error = await #expect(throws: Libp2pError.self) { try await hosts[0].dial(wrong) }
            #expect(error?.code == .peerIDMismatch)
            let unknown = await #expect(throws: Libp2pError.self) {
                try await hosts[0].openStream(to: hosts[1].peerID, protocolID: "/not/served/1.0.0")
            }
            #expect(unknown?.code == .negotiationFailed)
        }
    }

    @Test("many concurrent streams and messages larger than the window", arguments: [Muxer.yamux, .mplex])
    func concurrentStreams(_ muxer: Muxer) async throws {
        let configuration = LoopbackHosts.configuration { $0.muxers = [muxer] }
        try await LoopbackHosts.with(configuration: configuration) { hosts, addresses in
            let peer = try await hosts[0].dial(addresses[1])
            try await withThrowingTaskGroup { group in
                for index in 0..<32 {
                    group.addTask {
                        let stream = try await hosts[0].openStream(to: peer, protocolID: LoopbackHosts.echoProtocol)
                        let size = index % 4 == 0 ? 700_000 : 1 + index * 997
                        let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* (index + 1)) }
                        for _ in 0..<2 {
                            try await stream.writeMessage(payload)
                            #expect(try await stream.readMessage() == payload)
                        }
                        await stream.close()
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    @Test("a slow reader holds the writer back instead of buffering without bound")
    func backPressure() async throws {
        try await LoopbackHosts.with { hosts, addresses in
            let (arrived, arrival) = AsyncStream.makeStream(of: Libp2pStream.self)
            hosts[1].register(protocolID: "/test/slow/1.0.0") { stream in
                arrival.yield(stream)
                try await Task.sleep(for: .seconds(30))  // ends when the host shuts down
            }
            let peer = try await hosts[0].dial(addresses[1])
            let stream = try await hosts[0].openStream(to: peer, protocolID: "/test/slow/1.0.0")
            var iterator = arrived.makeAsyncIterator()
            let remote = try #require(await iterator.next())
            let chunk = ByteBuffer(repeating: 1, count: 64 * 1024)
            // The peer reads nothing: the window we assume it granted (nim-libp2p's 256000, less
            // the few bytes of protocol negotiation) gets through, and the writer waits for the rest.
            try await withThrowingTaskGroup { group in
                group.addTask {
                    for _ in 0..<64 { try await stream.write(chunk) }
                    Issue.record("4 MiB were accepted although the peer read nothing")
                }
                while remote.raw.buffer.bufferedBytes < MuxerConfiguration.nimWindow - 1024 {
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(remote.raw.buffer.bufferedBytes <= MuxerConfiguration.nimWindow)
                stream.reset()
                _ = try? await group.next()
            }
        }
    }

    @Test("an abrupt close is reported as a disconnection and fails open streams")
    func abruptClose() async throws {
        try await LoopbackHosts.with { hosts, addresses in
            var events = hosts[0].events.makeAsyncIterator()
            let peer = try await hosts[0].dial(addresses[1])
            let stream = try await hosts[0].openStream(to: peer, protocolID: LoopbackHosts.echoProtocol)
            // Close the remote side's socket without any goodbye.
            let remoteConnection = try #require(await hosts[1].connections[hosts[0].peerID]?.first)
            try await remoteConnection.channel.close()
            let error = await #expect(throws: Libp2pError.self) { try await stream.readMessage(timeout: .seconds(5)) }
            #expect(error?.code == .connectionClosed)
            while let event = await events.next() {
                if case .disconnected(let gone, let reason) = event {
                    #expect(gone == peer)
                    #expect(reason.code == .connectionClosed)
                    break
                }
            }
            #expect(await hosts[0].connectedPeers.isEmpty)
        }
    }

    @Test("reads time out, and stream and inbound-connection limits refuse the excess")
    func timeoutsAndLimits() async throws {
        let configuration = LoopbackHosts.configuration {
            $0.maximumStreamsPerConnection = 2
            $0.maximumInboundConnections = 1
        }
        try await LoopbackHosts.with(3, configuration: configuration) { hosts, addresses in
            let peer = try await hosts[0].dial(addresses[1])
            // Identify streams count against the limit too: let both finish first.
            let ourID = hosts[0].peerID
            let deadline = ContinuousClock.now + .seconds(5)
            while ContinuousClock.now < deadline {
                let ours = await hosts[0].identifyInfo(of: peer)
                let theirs = await hosts[1].identifyInfo(of: ourID)
                if ours != nil && theirs != nil { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            try await Task.sleep(for: .milliseconds(100))
            let first = try await hosts[0].openStream(to: peer, protocolID: LoopbackHosts.echoProtocol)
            let clock = ContinuousClock()
            let start = clock.now
            let timeout = await #expect(throws: Libp2pError.self) {
                try await first.readMessage(timeout: .milliseconds(300))
            }
            #expect(timeout?.code == .timeout)
            // Well before the 20 s default: the 300 ms given was honoured (loose for loaded machines).
            #expect(clock.now - start < .seconds(10))
            let second = try await hosts[0].openStream(to: peer, protocolID: LoopbackHosts.echoProtocol)
            let third = await #expect(throws: Libp2pError.self) {
                try await hosts[0].openStream(to: peer, protocolID: LoopbackHosts.echoProtocol)
            }
            #expect(third?.code == .limitReached)
            await first.close()
            await second.close()
            // hosts[1] already has one inbound connection: a second peer is refused.
            let refused = await #expect(throws: Libp2pError.self) {
                try await hosts[2].dial(addresses[1], timeout: .seconds(3))
            }
            #expect(refused != nil)
        }
    }
}
