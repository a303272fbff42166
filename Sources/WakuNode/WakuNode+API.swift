package import Libp2p
internal import WakuArchive
package import NodeEvents
package import WakuCore

extension WakuNode {
    /// Stores messages published locally (the demo's traffic generator stands in for relay).
    package func publish(_ messages: [TransferPayload]) async {
        await self.engine.store(
            messages.map {
                SyncEngine.Incoming(
                    pubsubTopic: $0.pubsubTopic,
                    message: $0.message,
                    hash: $0.message.hash(pubsubTopic: $0.pubsubTopic),
                    source: .publish,
                    peer: nil
                )
            }
        )
    }

    /// Every listen address in full (`/ip4/…/tcp/…/p2p/<peer id>`), once running.
    package var listenAddresses: [String] { self.info?.listenAddresses ?? [] }

    /// Dials `address` and returns the peer's ID (text form).
    package func connect(to address: String, timeout: Duration = .seconds(10)) async throws -> PeerID {
        let peer = try await self.host.dial(try Multiaddr(parsing: address), timeout: timeout)
        await self.peers.connected(peer.description, address: try? Multiaddr(parsing: address), direction: .outbound)
        return peer
    }

    /// Runs one reconciliation with `peer` now, as initiator; nil when it could not start.
    package func syncNow(with peer: PeerID) async -> SessionEnd? {
        await self.synchronize(with: peer.description)
    }

    /// Waits until nothing more is awaited from `peer` (pushed, fetched or given up) and its
    /// pushes have paused for `quiet`, or `timeout` passes; returns the transfer queue.
    ///
    /// Pushes into ranges where we said we hold nothing are not announced by hash (§5.2), so
    /// only a pause in arrivals tells that they are over.
    package func settle(with peer: PeerID, quiet: Duration = .seconds(1), timeout: Duration) async -> TransferQueue? {
        let start = ContinuousClock.now
        let deadline = start + timeout
        while ContinuousClock.now < deadline {
            let pending = await self.engine.hasPending(from: peer.description)
            let lastArrival = await self.engine.lastArrival(from: peer.description)
            let quietSince = max(start, lastArrival ?? start)
            if !pending && ContinuousClock.now - quietSince >= quiet { break }
            do { try await Task.sleep(for: .milliseconds(50)) } catch { break }
        }
        return await self.engine.queue(of: peer.description)
    }

    /// The number of messages in the archive and in the sync index.
    package func archiveSnapshot() async -> ArchiveSnapshot {
        await self.engine.archiveSnapshot
    }

    /// The number of messages in the archive, counted by SQLite.
    package func storedCount() async throws -> Int {
        try await self.archive.count()
    }

    /// The hashes of every message in the archive inside `[from, to)`, ascending by time (for
    /// convergence checks and the demo).
    package func storedHashes(from: Int64 = .min, to: Int64 = .max) async throws -> [MessageHash] {
        try await self.archive.syncEntries(from: from, to: to).map(\.hash)
    }

    /// The peers the node knows.
    package func peerSnapshots() async -> [PeerSnapshot] { await self.peers.snapshots }
}

extension SyncEngine {
    func hasPending(from peer: String) -> Bool { self.missing.hasPending(from: peer) }

    func lastArrival(from peer: String) -> ContinuousClock.Instant? { self.arrivals[peer] }

    func queue(of peer: String) -> TransferQueue? { self.missing.snapshot(of: peer) }
}

extension WakuNode {
    /// Waits until ``run()`` has started the host (with or without listen addresses).
    package func waitUntilStarted(timeout: Duration = .seconds(20)) async throws {
        let deadline = ContinuousClock.now + timeout
        while self.info == nil {
            guard ContinuousClock.now < deadline else { throw NodeError("the node did not start within \(timeout)") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
