internal import Gossipsub
internal import Libp2p
internal import NodeEvents
internal import Synchronization

/// Our stream to each relay peer, and the reading of theirs (PROTOCOLS.md §10.1).
extension Relay {
    /// Our outbound stream to each peer, by the state of its opening.
    struct Links {
        var entries: [PeerID: Link] = [:]
        var nextID: UInt64 = 0
    }

    struct Link {
        /// Tells this opening from a later one to the same peer.
        var id: UInt64
        /// The writer's queue, once the stream is negotiated.
        var sink: AsyncStream<[UInt8]>.Continuation?
        /// The peer refused every relay id (or the stream could not be opened).
        var failed = false
    }

    /// Opens our stream to a newly connected peer and writes the router's frames to it until the
    /// connection or the stream ends; then the router forgets the peer. Runs as one task per
    /// connection; a second call for a peer already served returns at once.
    func serve(_ peer: PeerID, direction: ConnectionDirection) async {
        let id: UInt64? = self.links.withLock { links in
            guard links.entries[peer] == nil else { return nil }
            links.nextID += 1
            links.entries[peer] = Link(id: links.nextID)
            return links.nextID
        }
        guard let id else { return }
        guard let (stream, version) = await self.open(peer) else {
            self.links.withLock { links in
                if links.entries[peer]?.id == id { links.entries[peer]?.failed = true }
            }
            self.linksChanged.notify()
            return
        }
        let (queue, sink) = AsyncStream.makeStream(
            of: [UInt8].self,
            bufferingPolicy: .bufferingOldest(Self.queueLimit)
        )
        let live = self.links.withLock { links in
            guard links.entries[peer]?.id == id else { return false }
            links.entries[peer]?.sink = sink
            return true
        }
        guard live else {
            stream.reset()
            return
        }
        self.linksChanged.notify()
        await self.handle(.peerConnected(peer, protocol: version, isOutbound: direction == .outbound))
        await self.write(queue, to: stream)
        self.links.withLock { links in
            if links.entries[peer]?.id == id { links.entries[peer] = nil }
        }
        sink.finish()
        self.linksChanged.notify()
        await self.handle(.peerDisconnected(peer))
    }

    /// Proposes our ids in order, one stream per attempt (§10.1: the Waku id, then meshsub 1.2
    /// and 1.1); nil when the peer takes none or the connection fails.
    private func open(_ peer: PeerID) async -> (Libp2pStream, GossipsubProtocol)? {
        for version in GossipsubProtocol.dialOrder {
            do {
                let stream = try await self.host.openStream(
                    to: peer,
                    protocolID: version.rawValue,
                    timeout: Self.openTimeout
                )
                return (stream, version)
            } catch let error as Libp2pError where error.code == .negotiationFailed {
                continue
            } catch {
                return nil
            }
        }
        return nil
    }

    private func write(_ queue: AsyncStream<[UInt8]>, to stream: Libp2pStream) async {
        let peer = stream.peerID
        do {
            for await frame in queue {
                try await stream.writeMessage(frame)
            }
            // Our queue was closed: half-close, then wait (bounded) for the peer to close its
            // side, which it does once it has read every frame. A connection closed right after
            // would otherwise drop frames still in the peer's buffers (yamux Go Away drops them).
            try await stream.closeWrite()
            while try await stream.read(timeout: Self.closeTimeout) != nil {}
            await stream.close()
        } catch {
            stream.reset()
            self.events.emit(
                .notice(
                    Notice(.info, "relay stream ended: \(WakuNode.describe(error))", peerID: peer.description)
                )
            )
        }
    }

    /// Queues a frame for the peer's stream; a peer whose queue is full is disconnected.
    func enqueue(_ frame: [UInt8], to peer: PeerID) async {
        let result = self.links.withLock { $0.entries[peer]?.sink }?.yield(frame)
        guard case .dropped = result else { return }
        self.events.emit(
            .notice(Notice(.warning, "relay: the peer's send queue is full; disconnecting", peerID: peer.description))
        )
        await self.host.disconnect(peer)
    }

    /// The connection to `peer` is gone: its writer stops (and then tells the router).
    func forget(_ peer: PeerID) {
        let sink = self.links.withLock { links -> AsyncStream<[UInt8]>.Continuation? in
            guard let sink = links.entries[peer]?.sink else {
                links.entries[peer] = nil
                return nil
            }
            return sink
        }
        sink?.finish()
        self.linksChanged.notify()
    }

    /// Reads a peer's stream to us, one RPC frame at a time, until it ends. Each frame reserves
    /// its length in the relay frame budget until the router has handled it; a frame above the
    /// frame limit (or the budget) fails the read and the host resets the stream.
    func receive(_ stream: Libp2pStream) async throws {
        let peer = stream.peerID
        guard await self.waitForLink(to: peer) else {
            stream.reset()
            return
        }
        while true {
            var reserved = 0
            do {
                let frame = try await stream.readMessage(maxSize: self.frameLimit, timeout: Self.idleTimeout) {
                    try self.frameBudget.reserve($0)
                    reserved = $0
                }
                guard let frame else { break }
                await self.handle(.frameReceived(frame, from: peer))
                self.frameBudget.release(reserved)
            } catch {
                self.frameBudget.release(reserved)
                self.events.emit(
                    .notice(
                        Notice(.info, "relay: reading ended: \(WakuNode.describe(error))", peerID: peer.description)
                    )
                )
                throw error
            }
        }
    }

    /// Waits (bounded) until our own stream to `peer` is open; false when it failed or took too long.
    private func waitForLink(to peer: PeerID) async -> Bool {
        let ready = await withTimeout(Self.linkTimeout, on: self.clock) {
            await self.linksChanged.wait {
                self.links.withLock { $0.entries[peer].map { $0.sink != nil || $0.failed } ?? false }
            }
            return self.links.withLock { $0.entries[peer]?.sink != nil }
        }
        return ready == true
    }

    /// Ends every outbound stream after its queued frames and waits until each peer has read
    /// them (it closes its side), at most `timeout` on the node's clock; false on timeout.
    func closeLinks(timeout: Duration) async -> Bool {
        let sinks = self.links.withLock { $0.entries.values.compactMap(\.sink) }
        for sink in sinks { sink.finish() }
        let closed = await withTimeout(timeout, on: self.clock) {
            await self.linksChanged.wait { self.links.withLock { $0.entries.values.allSatisfy { $0.sink == nil } } }
            return true
        }
        return closed == true
    }
}
