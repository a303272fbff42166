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
        var sink: FrameQueue?
        /// The router knows the peer: its frames can be handled (before, they would be ignored).
        var isReady = false
        /// The peer refused every relay id (or the stream could not be opened).
        var failed = false
        /// The connection went, or we closed our streams: no more redials.
        var isGone = false
    }

    /// Opens our stream to a newly connected peer and writes the router's frames to it until the
    /// connection ends; then the router forgets the peer. When the stream fails while the
    /// connection lasts, the peer leaves the router's meshes (keeping its subscriptions) and the
    /// stream is opened again after ``redialPause`` (nwaku redials it likewise). Runs as one task
    /// per connection; a second call for a peer already served returns at once.
    func serve(_ peer: PeerID, direction: ConnectionDirection) async {
        // A peer that reconnects at once may find the link of its previous connection still
        // winding down (its writer waits for the stream to end, then tells the router): wait for
        // it to go, or the new connection got no relay at all (and a graylisted peer was not
        // sent away again).
        _ = await withTimeout(Self.closeTimeout + Self.redialPause * 2, on: self.clock) {
            await self.linksChanged.wait { self.links.withLock { $0.entries[peer]?.isGone != true } }
        }
        let id: UInt64? = self.links.withLock { links in
            guard links.entries[peer] == nil else { return nil }
            links.nextID += 1
            links.entries[peer] = Link(id: links.nextID)
            return links.nextID
        }
        guard let id else { return }
        defer {
            self.links.withLock { links in
                if links.entries[peer]?.id == id { links.entries[peer] = nil }
            }
            self.linksChanged.notify()
        }
        var routerKnowsPeer = false
        await self.keepStreamOpen(to: peer, id: id, direction: direction, routerKnowsPeer: &routerKnowsPeer)
        if routerKnowsPeer { await self.handle(.peerDisconnected(PeerKey(peer))) }
    }

    /// Opens our stream to `peer` and writes to it, opening it again when it fails while the
    /// connection lasts; `routerKnowsPeer` says whether the router was told of the peer.
    private func keepStreamOpen(
        to peer: PeerID,
        id: UInt64,
        direction: ConnectionDirection,
        routerKnowsPeer: inout Bool
    ) async {
        var attempts = 0
        while self.isCurrent(id, of: peer) {
            let stream: Libp2pStream
            let version: GossipsubProtocol
            switch await self.open(peer) {
            case .opened(let opened, let negotiated):
                (stream, version, attempts) = (opened, negotiated, 0)
            case .refused:
                self.links.withLock { links in
                    if links.entries[peer]?.id == id { links.entries[peer]?.failed = true }
                }
                return
            case .failed:
                // A reset during negotiation, a timeout: try again while connected, a few times.
                attempts += 1
                guard attempts < Self.openAttempts, await self.host.connectedPeers.contains(peer) else { return }
                do { try await self.clock.sleep(for: Self.redialPause) } catch { return }
                continue
            }
            let queue = FrameQueue(limit: Self.queueLimit)
            let live = self.links.withLock { links in
                guard links.entries[peer]?.id == id, links.entries[peer]?.isGone == false else { return false }
                links.entries[peer]?.sink = queue
                return true
            }
            guard live else {
                stream.reset()
                return
            }
            await self.handle(.peerConnected(PeerKey(peer), protocol: version, isOutbound: direction == .outbound))
            routerKnowsPeer = true
            self.links.withLock { links in
                if links.entries[peer]?.id == id { links.entries[peer]?.isReady = true }
            }
            self.linksChanged.notify()
            let failed = await self.write(queue, to: stream)
            self.links.withLock { links in
                if links.entries[peer]?.id == id {
                    links.entries[peer]?.sink = nil
                    links.entries[peer]?.isReady = false
                }
            }
            queue.finish()
            self.linksChanged.notify()
            guard failed, await self.host.connectedPeers.contains(peer) else { return }
            // The peer's own stream still carries its subscriptions: the router keeps them and
            // only takes the peer out of its meshes until the redial (PROTOCOLS.md §10.1).
            await self.handle(.streamClosed(PeerKey(peer)))
            do { try await self.clock.sleep(for: Self.redialPause) } catch { return }
        }
    }

    /// Whether `id` is still the link to `peer`, and not ended by ``forget(_:)`` or ``closeLinks(timeout:)``.
    private func isCurrent(_ id: UInt64, of peer: PeerID) -> Bool {
        self.links.withLock { $0.entries[peer].map { $0.id == id && !$0.isGone } ?? false }
    }

    /// What opening our stream came to.
    private enum Opening {
        case opened(Libp2pStream, GossipsubProtocol)
        /// The peer refused every id: it does not speak relay.
        case refused
        /// Something else went wrong (a reset, a timeout, the connection).
        case failed
    }

    /// Proposes our ids in order, one stream per attempt (§10.1: the Waku id, then meshsub 1.2
    /// and 1.1).
    private func open(_ peer: PeerID) async -> Opening {
        for version in GossipsubProtocol.dialOrder {
            do {
                let stream = try await self.host.openStream(
                    to: peer,
                    protocolID: version.rawValue,
                    timeout: Self.openTimeout
                )
                return .opened(stream, version)
            } catch let error as Libp2pError where error.code == .negotiationFailed {
                continue
            } catch {
                return .failed
            }
        }
        return .refused
    }

    /// How our stream ended, as the writer and the watcher of its read side see it.
    private enum StreamEnd: Sendable {
        /// Every queued frame was written and our side half-closed.
        case drained
        /// The peer closed its side (it does so once it has read everything after our close).
        case peerClosed
        case failed(String)
        /// The peer did not close its side in time after ours.
        case timedOut
    }

    /// Writes queued frames until the queue is finished, then half-closes and waits (bounded)
    /// for the peer to close its side, which it does once it has read every frame: a connection
    /// closed right after would otherwise drop frames still in the peer's buffers (yamux Go Away
    /// drops them). The read side is watched all along, so a reset is noticed even when there is
    /// nothing to write. Returns true when the stream failed.
    private func write(_ queue: FrameQueue, to stream: Libp2pStream) async -> Bool {
        let clock = self.clock
        let failure: String? = await withTaskGroup(of: StreamEnd.self) { group in
            group.addTask {
                do {
                    while let frames = await queue.take() { try await stream.writeMessages(frames) }
                    try await stream.closeWrite()
                    return .drained
                } catch {
                    return .failed(WakuNode.describe(error))
                }
            }
            group.addTask { await Self.watch(stream) }
            var drained = false
            var peerClosed = false
            while let end = await group.next() {
                switch end {
                case .drained:
                    drained = true
                    if !peerClosed {
                        group.addTask {
                            try? await clock.sleep(for: Self.closeTimeout)
                            return .timedOut
                        }
                    }
                case .peerClosed:
                    peerClosed = true
                case .timedOut:
                    stream.reset()
                    group.cancelAll()
                    return nil
                case .failed(let reason):
                    // Ends the watcher's read; cancelling ends the writer's wait on the queue.
                    stream.reset()
                    group.cancelAll()
                    return reason
                }
                if drained && peerClosed {
                    group.cancelAll()
                    return nil
                }
            }
            return nil
        }
        guard let failure else {
            await stream.close()
            return false
        }
        self.events.emit(
            .notice(Notice(.info, "relay stream ended: \(failure)", peerID: stream.peerID.description))
        )
        return true
    }

    /// Reads our stream's other direction, where the peer is not meant to write (streams are
    /// one-way), until it is closed or fails; what the peer sends there is dropped.
    private static func watch(_ stream: Libp2pStream) async -> StreamEnd {
        while true {
            do {
                guard try await stream.read(timeout: Self.idleTimeout) != nil else { return .peerClosed }
            } catch let error as Libp2pError where error.code == .timeout {
                continue
            } catch {
                return .failed(WakuNode.describe(error))
            }
        }
    }

    /// Queues a frame for the peer's stream (dropped when we have none); false when the queue is
    /// full.
    func enqueue(_ frame: [UInt8], to peer: PeerID) -> Bool {
        self.links.withLock { $0.entries[peer]?.sink }?.push(frame) != .full
    }

    /// The connection to `peer` is gone: its writer stops (and then tells the router).
    func forget(_ peer: PeerID) {
        let sink = self.links.withLock { links -> FrameQueue? in
            links.entries[peer]?.isGone = true
            return links.entries[peer]?.sink
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
        let key = PeerKey(peer)
        while true {
            var reserved = 0
            do {
                let frame = try await stream.readMessage(maxSize: self.frameLimit, timeout: Self.idleTimeout) {
                    try self.reserveFrame($0, from: peer)
                    reserved = $0
                }
                guard let frame else { break }
                await self.handle(.frameReceived(frame, from: key))
                self.releaseFrame(reserved, from: peer)
            } catch {
                self.releaseFrame(reserved, from: peer)
                self.events.emit(
                    .notice(
                        Notice(.info, "relay: reading ended: \(WakuNode.describe(error))", peerID: peer.description)
                    )
                )
                throw error
            }
        }
    }

    /// Reserves a frame's announced length in the peer's share and in the global frame budget.
    private func reserveFrame(_ bytes: Int, from peer: PeerID) throws(BudgetExceeded) {
        let share = Self.peerFrameShare * self.frameLimit
        let fits = self.peerFrameBytes.withLock { held in
            guard bytes <= share - held[peer, default: 0] else { return false }
            held[peer, default: 0] += bytes
            return true
        }
        guard fits else { throw BudgetExceeded(budget: "relay frame share of one peer", bytes: bytes, limit: share) }
        do {
            try self.frameBudget.reserve(bytes)
        } catch {
            self.releaseShare(bytes, of: peer)
            throw error
        }
    }

    /// Gives back what ``reserveFrame(_:from:)`` reserved.
    private func releaseFrame(_ bytes: Int, from peer: PeerID) {
        guard bytes > 0 else { return }
        self.frameBudget.release(bytes)
        self.releaseShare(bytes, of: peer)
    }

    private func releaseShare(_ bytes: Int, of peer: PeerID) {
        self.peerFrameBytes.withLock { held in
            let left = held[peer, default: 0] - bytes
            held[peer] = left > 0 ? left : nil
        }
    }

    /// Waits (bounded) until our own stream to `peer` is open and the router knows the peer; false
    /// when it failed or took too long.
    private func waitForLink(to peer: PeerID) async -> Bool {
        let ready = await withTimeout(Self.linkTimeout, on: self.clock) {
            await self.linksChanged.wait {
                self.links.withLock { $0.entries[peer].map { $0.isReady || $0.failed } ?? false }
            }
            return self.links.withLock { $0.entries[peer]?.isReady == true }
        }
        return ready == true
    }

    /// Ends every outbound stream after its queued frames and waits until each peer has read
    /// them (it closes its side), at most `timeout` on the node's clock; false on timeout.
    func closeLinks(timeout: Duration) async -> Bool {
        let sinks = self.links.withLock { links in
            for peer in links.entries.keys { links.entries[peer]?.isGone = true }
            return links.entries.values.compactMap(\.sink)
        }
        for sink in sinks { sink.finish() }
        let closed = await withTimeout(timeout, on: self.clock) {
            await self.linksChanged.wait { self.links.withLock { $0.entries.values.allSatisfy { $0.sink == nil } } }
            return true
        }
        return closed == true
    }
}
