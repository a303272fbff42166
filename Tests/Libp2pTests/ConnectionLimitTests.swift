import NIOCore
import NIOPosix
import Testing

@testable import Libp2p

/// A libp2p client dialling from a chosen loopback address (127.0.0.2, 127.0.0.3, …): the host's
/// own dial cannot pick its source address. It refuses the streams the server opens (identify),
/// so that its connection becomes idle as soon as its own streams are done.
private enum SourceDialer {
    static func connect(
        from source: String,
        to address: Multiaddr,
        key: PrivateKey? = nil
    ) async throws -> Connection {
        let key = try key ?? PrivateKey.generate(.ed25519)
        let settings = ConnectionHandler.Settings(
            identity: try NoiseIdentity(key: key),
            muxers: [.yamux],
            muxerConfiguration: MuxerConfiguration(
                maximumStreams: 256,
                receiveWindow: 262_144,
                writeTimeout: .seconds(10),
                mplexBufferLimit: 1 << 20,
                maximumUnreadBytes: 8 << 20,
                idleTimeout: nil
            ),
            timeout: .seconds(10)
        )
        let target = try #require(try await Resolver.socketAddresses(for: address).first)
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let upgraded = loop.makePromise(of: Connection.self)
        let channel = try await ClientBootstrap(group: loop)
            .bind(to: try SocketAddress(ipAddress: source, port: 0))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ConnectionHandler(
                            settings: settings,
                            direction: .outbound,
                            expectedPeer: address.peerID,
                            upgraded: upgraded,
                            admission: nil,
                            onInboundStream: { stream, connection in connection.muxer.reset(stream.key) }
                        )
                    )
                }
            }
            .connect(to: target)
            .get()
        do {
            return try await upgraded.futureResult.get()
        } catch {
            try? await channel.close()
            throw error
        }
    }

    /// Opens a stream of `protocolID` on a connection made by ``connect(from:to:key:)``.
    static func stream(on connection: Connection, _ protocolID: String) async throws -> MuxedStream {
        let raw = try await connection.muxer.openStream()
        try await StreamNegotiation.select(protocolID, on: raw, deadline: .now() + .seconds(10))
        return raw
    }

    /// Whether the host closes `connection` within 10 s.
    static func isClosed(_ connection: Connection) async -> Bool {
        let closed = connection.channel.eventLoop.makePromise(of: Bool.self)
        connection.channel.closeFuture.whenComplete { _ in closed.succeed(true) }
        connection.channel.eventLoop.scheduleTask(in: .seconds(10)) { closed.succeed(false) }
        return (try? await closed.futureResult.get()) ?? false
    }
}

@Suite("inbound connection limits over loopback", .serialized, .timeLimit(.minutes(1)))
struct ConnectionLimitTests {
    static let holdProtocol = "/test/hold/1.0.0"

    /// A host whose `holdProtocol` streams stay open until the test ends, serving on 127.0.0.1.
    static func withServer(
        _ change: (inout HostConfiguration) -> Void,
        _ body: (Libp2pHost, Multiaddr) async throws -> Void
    ) async throws {
        let configuration = LoopbackHosts.configuration {
            $0.countsLoopbackPerAddress = true  // 127.0.0.2, 127.0.0.3, … are distinct peers here
            change(&$0)
        }
        try await LoopbackHosts.with(1, configuration: configuration) { hosts, addresses in
            hosts[0].register(protocolID: Self.holdProtocol) { stream in
                _ = try await stream.read(timeout: .seconds(50))
            }
            try await body(hosts[0], addresses[0])
        }
    }

    @Test("one address cannot take every slot: its excess is refused and another address gets in")
    func perAddressShare() async throws {
        try await Self.withServer({
            $0.maximumInboundConnections = 4
            $0.maximumInboundConnectionsPerAddress = 2
        }) { host, address in
            var kept: [Connection] = []
            for _ in 0..<2 { kept.append(try await SourceDialer.connect(from: "127.0.0.2", to: address)) }
            let refused = await #expect(throws: (any Error).self) {
                try await SourceDialer.connect(from: "127.0.0.2", to: address)
            }
            #expect(refused != nil)
            let honest = try await SourceDialer.connect(from: "127.0.0.3", to: address)
            let stream = try await SourceDialer.stream(on: honest, LoopbackHosts.echoProtocol)
            try await stream.closeWrite()
            for connection in kept + [honest] { connection.close() }
        }
    }

    @Test("a protected peer gets in while busy connections hold every general slot; others do not")
    func protectedPeerGetsIn() async throws {
        let friend = try PrivateKey.generate(.secp256k1)
        try await Self.withServer({
            $0.maximumInboundConnections = 2
            $0.maximumInboundConnectionsPerAddress = 2
            $0.protectedInboundConnections = 2
        }) { host, address in
            var kept: [Connection] = []
            var holds: [MuxedStream] = []
            for source in ["127.0.0.2", "127.0.0.3"] {
                let connection = try await SourceDialer.connect(from: source, to: address)
                holds.append(try await SourceDialer.stream(on: connection, Self.holdProtocol))
                kept.append(connection)
            }
            let stranger = await #expect(throws: (any Error).self) {
                try await SourceDialer.connect(from: "127.0.0.4", to: address)
            }
            #expect(stranger != nil)
            host.protect(friend.peerID)
            let protected = try await SourceDialer.connect(from: "127.0.0.5", to: address, key: friend)
            let stream = try await SourceDialer.stream(on: protected, LoopbackHosts.echoProtocol)
            try await stream.closeWrite()
            #expect(kept.allSatisfy { $0.channel.isActive }, "a busy connection was closed for the protected peer")
            for connection in kept + [protected] { connection.close() }
            _ = holds
        }
    }

    @Test("a newcomer evicts an idle connection when every slot is taken")
    func idleEviction() async throws {
        try await Self.withServer({
            $0.maximumInboundConnections = 2
            $0.evictableIdleTime = .milliseconds(200)
        }) { host, address in
            let busy = try await SourceDialer.connect(from: "127.0.0.2", to: address)
            let hold = try await SourceDialer.stream(on: busy, Self.holdProtocol)
            let idle = try await SourceDialer.connect(from: "127.0.0.3", to: address)
            // The server's identify stream to the idle client is refused at once; wait until the
            // server sees that connection without streams for longer than the eviction age.
            let idleOnServer = try #require(await Self.serverConnection(on: host, for: idle))
            while idleOnServer.usage.idleSince.map({ NIODeadline.now() - $0 < .milliseconds(300) }) ?? true {
                try await Task.sleep(for: .milliseconds(20))
            }
            let newcomer = try await SourceDialer.connect(from: "127.0.0.4", to: address)
            #expect(await SourceDialer.isClosed(idle), "the idle connection was not evicted")
            #expect(busy.channel.isActive, "the busy connection was evicted")
            #expect(idleOnServer.closeReason?.code == .limitReached)
            for connection in [busy, newcomer] { connection.close() }
            _ = hold
        }
    }

    @Test("an inbound connection without streams is closed after the idle timeout")
    func idleTimeout() async throws {
        try await Self.withServer({ $0.inboundIdleTimeout = .milliseconds(500) }) { host, address in
            let connection = try await SourceDialer.connect(from: "127.0.0.2", to: address)
            #expect(await SourceDialer.isClosed(connection))
        }
    }

    @Test(
        "a connection flooding many streams stays under the unread-bytes cap and stays usable",
        arguments: [Muxer.yamux, .mplex]
    )
    func unreadCap(_ muxer: Muxer) async throws {
        let cap = 1 << 20
        let configuration = LoopbackHosts.configuration {
            $0.maximumUnreadBytesPerConnection = cap
            $0.muxers = [muxer]
        }
        try await LoopbackHosts.with(configuration: configuration) { hosts, addresses in
            hosts[1].register(protocolID: Self.holdProtocol) { _ in
                try await Task.sleep(for: .seconds(50))  // reads nothing; ends when the host shuts down
            }
            let peer = try await hosts[0].dial(addresses[1])
            var server: Connection?
            while server == nil {
                server = await hosts[1].connections[hosts[0].peerID]?.first
                try await Task.sleep(for: .milliseconds(10))
            }
            let connection = try #require(server)
            var streams: [Libp2pStream] = []
            for _ in 0..<16 {
                streams.append(try await hosts[0].openStream(to: peer, protocolID: Self.holdProtocol))
            }
            let chunk = ByteBuffer(repeating: 9, count: 200_000)
            var peak = 0
            let outcomes = try await withThrowingTaskGroup(of: Libp2pError.Code?.self) { group in
                for stream in streams {
                    group.addTask {
                        try? await stream.write(chunk)
                        do {
                            _ = try await stream.read(timeout: .seconds(8))
                            return nil
                        } catch let error as Libp2pError {
                            return error.code
                        }
                    }
                }
                var outcomes: [Libp2pError.Code?] = []
                for try await outcome in group {
                    peak = max(peak, connection.usage.unreadBytes)
                    outcomes.append(outcome)
                }
                return outcomes
            }
            let reset = outcomes.count { $0 == .streamReset }
            let held = outcomes.count { $0 == .timeout }
            #expect(held * 200_000 <= cap, "\(held) streams of 200 000 bytes kept under a cap of \(cap)")
            #expect(reset >= 16 - cap / 200_000, "only \(reset) streams reset")
            #expect(connection.usage.unreadBytes <= cap && peak <= cap)
            let echo = try await hosts[0].openStream(to: peer, protocolID: LoopbackHosts.echoProtocol)
            try await echo.writeMessage(Array("still here".utf8))
            #expect(try await echo.readMessage() == Array("still here".utf8))
            for stream in streams { stream.reset() }
        }
    }

    static func serverConnection(on host: Libp2pHost, for client: Connection) async -> Connection? {
        for _ in 0..<200 {
            let local = client.channel.localAddress
            let found = await host.connections.values.flatMap { $0 }.first { $0.channel.remoteAddress == local }
            if let found { return found }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }
}
