internal import NIOCore
internal import NIOPosix

extension Libp2pHost {
    /// Connects to `address` (resolving `/dns4`/`/dns6` first) and returns the peer's ID; reuses an
    /// existing connection to the `/p2p/…` peer, and joins a dial to the same address in progress.
    ///
    /// When the address names a peer, the Noise handshake must prove that identity.
    ///
    /// - Throws: ``Libp2pError`` `timeout` when TCP, Noise and the muxer take longer than `timeout`
    ///   together; `dialFailed`, `peerIDMismatch`, `negotiationFailed`, `handshakeFailed`, `notRunning`.
    package func dial(_ address: Multiaddr, timeout: Duration = .seconds(10)) async throws -> PeerID {
        guard self.isRunning else { throw Libp2pError(.notRunning, "host is not running") }
        let expected = address.peerID
        if let expected, self.connections[expected]?.contains(where: { $0.channel.isActive }) == true {
            return expected
        }
        let key = address.description
        if let pending = self.pendingDials[key] { return try await pending.futureResult.get() }
        let promise = self.group.any().makePromise(of: PeerID.self)
        self.pendingDials[key] = promise
        defer { self.pendingDials[key] = nil }
        do {
            let connection = try await self.connect(to: address, expectedPeer: expected, timeout: timeout)
            guard self.add(connection) else { throw Libp2pError(.notRunning, "host is shutting down") }
            self.workSink.yield(.identify(connection))
            promise.succeed(connection.peerID)
            return connection.peerID
        } catch {
            promise.fail(error)
            throw error
        }
    }

    private nonisolated func connect(
        to address: Multiaddr,
        expectedPeer: PeerID?,
        timeout: Duration
    ) async throws -> Connection {
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        var lastError: (any Error)?
        for target in try await Resolver.socketAddresses(for: address) {
            let remaining = deadline - NIODeadline.now()
            guard remaining > .zero else { break }
            do {
                return try await self.connect(to: target, expectedPeer: expectedPeer, within: remaining)
            } catch let error as Libp2pError where error.code != .timeout && error.code != .dialFailed {
                throw error  // the peer answered and failed the upgrade: another address will not help
            } catch {
                lastError = error
            }
        }
        if let error = lastError as? Libp2pError { throw error }
        if let lastError { throw Libp2pError(.dialFailed, "cannot connect to \(address): \(lastError)") }
        throw Libp2pError(.timeout, "dialling \(address) took longer than \(timeout)")
    }

    private nonisolated func connect(
        to target: SocketAddress,
        expectedPeer: PeerID?,
        within time: TimeAmount
    ) async throws -> Connection {
        let loop = self.group.next()
        let upgraded = loop.makePromise(of: Connection.self)
        var settings = self.upgradeSettings
        settings = ConnectionHandler.Settings(
            identity: settings.identity,
            muxers: settings.muxers,
            muxerConfiguration: settings.muxerConfiguration,
            timeout: min(time, settings.timeout)
        )
        let sink = self.workSink
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: loop)
                .connectTimeout(time)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { [settings] channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            ConnectionHandler(
                                settings: settings,
                                direction: .outbound,
                                expectedPeer: expectedPeer,
                                upgraded: upgraded,
                                onInboundStream: { stream, connection in sink.yield(.stream(stream, connection)) }
                            )
                        )
                    }
                }
                .connect(to: target)
                .get()
        } catch {
            upgraded.fail(error)
            if case ChannelError.connectTimeout = error {
                throw Libp2pError(.timeout, "TCP connect to \(target) timed out")
            }
            throw Libp2pError(.dialFailed, "cannot connect to \(target): \(error)")
        }
        do {
            return try await upgraded.futureResult.get()
        } catch {
            channel.close(promise: nil)
            throw error
        }
    }
}
