package import NIOCore
internal import NIOPosix
internal import Synchronization

/// A libp2p node over TCP: listens, dials, upgrades connections (multistream, Noise, yamux or mplex),
/// serves registered protocols, identifies and pings peers.
///
/// Lifecycle: create, ``register(protocolID:handler:)`` handlers, ``start()`` to bind, then keep
/// ``run()`` running (it owns the tasks that serve inbound streams and identify peers) until
/// ``shutdown()``. One connection per peer is reused for every stream.
package actor Libp2pHost {
    /// Handles one inbound stream of a registered protocol; the host closes the stream afterwards
    /// (or resets it when the handler throws).
    package typealias Handler = @Sendable (Libp2pStream) async throws -> Void

    enum Work: Sendable {
        case inboundConnection(Connection)
        case identify(Connection)
        case stream(MuxedStream, Connection)
        case closed(Connection)
    }

    private enum State { case idle, running, stopping, stopped }

    /// A protocol's handler, and whether it also serves every id its own id is a prefix of.
    private struct Registration: Sendable {
        var handler: Handler
        var matchingPrefix: Bool
    }

    /// Our peer ID.
    package nonisolated let peerID: PeerID
    /// Connection, identify and disconnection events; keeps the newest 4096 if nobody reads.
    package nonisolated let events: AsyncStream<HostEvent>
    nonisolated let configuration: HostConfiguration
    nonisolated let key: PrivateKey
    nonisolated let group: any EventLoopGroup
    nonisolated let upgradeSettings: ConnectionHandler.Settings
    nonisolated let eventSink: AsyncStream<HostEvent>.Continuation
    nonisolated let workSink: AsyncStream<Work>.Continuation
    private nonisolated let work: AsyncStream<Work>
    private nonisolated let registrations = Mutex<[String: Registration]>([:])
    nonisolated let inboundGate: InboundGate
    private let listenAddresses: [Multiaddr]
    private var state = State.idle
    private var listeners: [any Channel] = []
    private var boundAddresses: [Multiaddr] = []
    var connections: [PeerID: [Connection]] = [:]
    var identified: [PeerID: IdentifyInfo] = [:]
    var pendingDials: [String: EventLoopPromise<PeerID>] = [:]

    /// A host with identity `key`, listening on `listenAddresses` (`/ip4|ip6/…/tcp/<port>`, port 0
    /// picks a free one) once started, running its connections on `group`.
    ///
    /// - Throws: ``Libp2pError/Code/invalidKey`` if `key` cannot sign.
    package init(
        key: PrivateKey,
        listenAddresses: [Multiaddr],
        configuration: HostConfiguration,
        group: any EventLoopGroup
    ) throws(Libp2pError) {
        self.key = key
        self.peerID = key.peerID
        self.listenAddresses = listenAddresses
        self.configuration = configuration
        self.group = group
        self.upgradeSettings = ConnectionHandler.Settings(
            identity: try NoiseIdentity(key: key),
            muxers: configuration.muxers,
            muxerConfiguration: MuxerConfiguration(
                maximumStreams: configuration.maximumStreamsPerConnection,
                receiveWindow: configuration.yamuxReceiveWindow,
                writeTimeout: TimeAmount(configuration.writeTimeout),
                mplexBufferLimit: max(configuration.yamuxReceiveWindow, MplexFrame.maximumPayload),
                maximumUnreadBytes: configuration.maximumUnreadBytesPerConnection,
                idleTimeout: configuration.inboundIdleTimeout.map(TimeAmount.init)
            ),
            timeout: TimeAmount(configuration.upgradeTimeout)
        )
        self.inboundGate = InboundGate(
            limits: InboundSlots.Limits(
                total: configuration.maximumInboundConnections,
                perAddress: configuration.maximumInboundConnectionsPerAddress,
                protected: configuration.protectedInboundConnections,
                evictableAfter: TimeAmount(configuration.evictableIdleTime),
                countsLoopback: configuration.countsLoopbackPerAddress
            ),
            protectedPeers: configuration.protectedPeers
        )
        (self.events, self.eventSink) = AsyncStream.makeStream(
            of: HostEvent.self,
            bufferingPolicy: .bufferingNewest(4096)
        )
        // Bounded by the connection and stream limits: each item is a connection or a stream.
        (self.work, self.workSink) = AsyncStream.makeStream(of: Work.self)
        self.registerBuiltIns()
    }

    /// Serves `protocolID` with `handler` on every connection (replacing an earlier registration);
    /// with `matchingPrefix`, also every proposed id that starts with it (nwaku accepts its relay
    /// id that way, PROTOCOLS.md §10.1).
    package nonisolated func register(protocolID: String, matchingPrefix: Bool = false, handler: @escaping Handler) {
        self.registrations.withLock { $0[protocolID] = Registration(handler: handler, matchingPrefix: matchingPrefix) }
    }

    /// Lets `peer` connect even when the general inbound slots are full (see
    /// ``HostConfiguration/protectedPeers``); applies from its next connection on.
    package nonisolated func protect(_ peer: PeerID) {
        self.inboundGate.protect(peer)
    }

    /// Ends `peer`'s protection; its open connections keep their slots.
    package nonisolated func unprotect(_ peer: PeerID) {
        self.inboundGate.unprotect(peer)
    }

    /// Binds the listen addresses and returns them with `/p2p/<our peer id>` appended.
    ///
    /// - Throws: ``Libp2pError/Code/invalidMultiaddr`` for an address we cannot listen on; NIO's
    ///   error when binding fails (port in use).
    @discardableResult
    package func start() async throws -> [Multiaddr] {
        switch self.state {
        case .running: return self.boundAddresses
        case .stopping, .stopped: throw Libp2pError(.notRunning, "host was shut down")
        case .idle: break
        }
        for address in self.listenAddresses {
            switch address.components.first {
            case .ip4?, .ip6?: break
            default:
                throw Libp2pError(.invalidMultiaddr, "cannot listen on '\(address)': use /ip4/…/tcp/… or /ip6/…/tcp/…")
            }
            for socketAddress in try await Resolver.socketAddresses(for: address) {
                try await self.bind(socketAddress)
            }
        }
        self.state = .running
        return self.boundAddresses
    }

    /// The bound listen addresses with `/p2p/<our peer id>` (empty before ``start()``).
    package var listenAddressesWithPeerID: [Multiaddr] { self.boundAddresses }

    /// Serves inbound streams and identifies new connections until ``shutdown()``.
    package func run() async throws {
        try await self.start()
        await withDiscardingTaskGroup { group in
            for await item in self.work {
                switch item {
                case .inboundConnection(let connection):
                    if self.add(connection) {
                        group.addTask { await self.identify(connection) }
                    }
                case .identify(let connection):
                    group.addTask { await self.identify(connection) }
                case .stream(let raw, let connection):
                    group.addTask { await self.serve(raw, on: connection) }
                case .closed(let connection):
                    self.remove(connection)
                }
            }
            // shutdown() finished the work stream after closing every connection; handlers still
            // waiting on something else are cancelled rather than waited for.
            group.cancelAll()
        }
    }

    /// Stops listening, closes every connection (yamux Go Away) and ends ``run()`` and ``events``.
    package func shutdown() async {
        guard self.state == .running || self.state == .idle else { return }
        self.state = .stopping
        for listener in self.listeners { try? await listener.close() }
        self.listeners = []
        let open = self.connections.values.flatMap { $0 }
        for connection in open { connection.close() }
        for connection in open { try? await connection.channel.closeFuture.get() }
        for connection in open { self.remove(connection) }
        self.workSink.finish()
        self.eventSink.finish()
        self.state = .stopped
    }

    /// The peers we have a connection to.
    package var connectedPeers: [PeerID] { Array(self.connections.keys) }

    /// What `peer` told us in identify, once it has.
    package func identifyInfo(of peer: PeerID) -> IdentifyInfo? { self.identified[peer] }

    /// Closes every connection to `peer`.
    package func disconnect(_ peer: PeerID) async {
        let open = self.connections[peer] ?? []
        for connection in open { connection.close() }
        for connection in open { try? await connection.channel.closeFuture.get() }
    }

    // MARK: - Internals shared with the extensions

    var isRunning: Bool { self.state == .running }

    nonisolated var registeredProtocols: [String] { self.registrations.withLock { $0.keys.sorted() } }

    /// Registered ids that also match every id they are a prefix of.
    nonisolated var prefixProtocols: [String] {
        self.registrations.withLock { $0.filter(\.value.matchingPrefix).keys.sorted() }
    }

    /// The handler registered for `protocolID`, or else for the longest prefix of it registered
    /// as matching prefixes.
    nonisolated func handler(for protocolID: String) -> Handler? {
        self.registrations.withLock { registrations in
            if let exact = registrations[protocolID] { return exact.handler }
            return registrations.filter { $0.value.matchingPrefix && protocolID.hasPrefix($0.key) }
                .max { $0.key.count < $1.key.count }?.value.handler
        }
    }

    /// Registers an upgraded connection; false (and the connection closed) when the host is stopping.
    @discardableResult
    func add(_ connection: Connection) -> Bool {
        guard self.state == .running else {
            connection.close()
            return false
        }
        let isFirst = self.connections[connection.peerID, default: []].isEmpty
        self.connections[connection.peerID, default: []].append(connection)
        let sink = self.workSink
        connection.channel.closeFuture.whenComplete { _ in sink.yield(.closed(connection)) }
        if isFirst {
            self.eventSink.yield(
                .connected(connection.peerID, address: connection.remoteAddress, direction: connection.direction)
            )
        }
        return true
    }

    private func remove(_ connection: Connection) {
        guard var open = self.connections[connection.peerID], open.contains(where: { $0 === connection }) else {
            return
        }
        open.removeAll { $0 === connection }
        self.connections[connection.peerID] = open.isEmpty ? nil : open
        if open.isEmpty {
            self.identified[connection.peerID] = nil
            let reason = connection.closeReason ?? Libp2pError(.connectionClosed, "closed by the peer")
            self.eventSink.yield(.disconnected(connection.peerID, reason: reason))
        }
    }

    private func bind(_ address: SocketAddress) async throws {
        let channel = try await ServerBootstrap(group: self.group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [weak self] channel in
                guard let self else { return channel.eventLoop.makeFailedFuture(Libp2pError(.notRunning, "host gone")) }
                return self.initializeInbound(channel)
            }
            .bind(to: address)
            .get()
        self.listeners.append(channel)
        if let local = channel.localAddress, let bound = Multiaddr(socketAddress: local) {
            self.boundAddresses.append(bound.appending(peerID: self.peerID))
        }
    }

    private nonisolated func initializeInbound(_ channel: any Channel) -> EventLoopFuture<Void> {
        let gate = self.inboundGate
        let id: UInt64
        switch gate.accept(from: channel.remoteAddress) {
        case .failure(let refusal): return channel.eventLoop.makeFailedFuture(refusal)
        case .success(let accepted): id = accepted
        }
        channel.closeFuture.whenComplete { _ in gate.release(id) }
        let upgraded = channel.eventLoop.makePromise(of: Connection.self)
        let sink = self.workSink
        upgraded.futureResult.whenSuccess { connection in
            gate.established(id, connection)
            if case .terminated = sink.yield(.inboundConnection(connection)) { connection.close() }
        }
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(
                ConnectionHandler(
                    settings: self.upgradeSettings,
                    direction: .inbound,
                    expectedPeer: nil,
                    upgraded: upgraded,
                    admission: { peer in gate.secure(id, as: peer) },
                    onInboundStream: { stream, connection in sink.yield(.stream(stream, connection)) }
                )
            )
        }
    }
}
