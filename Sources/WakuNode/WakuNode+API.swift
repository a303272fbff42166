package import Libp2p
internal import Synchronization
internal import WakuArchive
package import NodeEvents
package import WakuCore

extension WakuNode {
    /// Stores messages published locally (the demo's traffic generator stands in for relay),
    /// through the acceptance rule like every other message.
    package func publish(_ messages: [TransferPayload]) async {
        let incoming = messages.map { IncomingMessage(pubsubTopic: $0.pubsubTopic, message: $0.message) }
        let report = await self.engine.ingest(incoming, via: .publish, waitUntilWritten: true)
        self.events.reportRejections(report, source: .publish, peer: nil)
    }

    /// Every listen address in full (`/ip4/…/tcp/…/p2p/<peer id>`), once running.
    package var listenAddresses: [String] { self.info.withLock { $0?.listenAddresses ?? [] } }

    /// Dials `address` and returns the peer's ID.
    package func connect(to address: String, timeout: Duration = .seconds(10)) async throws -> PeerID {
        let parsed = try Multiaddr(parsing: address)
        let peer = try await self.host.dial(parsed, timeout: timeout)
        await self.peers.connected(peer, address: parsed, direction: .outbound)
        return peer
    }

    /// Runs one reconciliation with `peer` now, as initiator; nil when it could not start.
    package func syncNow(with peer: PeerID) async -> SessionEnd? {
        await self.reconciliation.initiate(with: peer)
    }

    /// Audits our archive against `peer`'s over `plan`'s span (PROTOCOLS.md §12), repairing when
    /// the plan says so; the report is also emitted as `auditFinished`.
    package func audit(_ peer: PeerID, plan: AuditPlan) async -> AuditReport {
        await self.archiveAudit.run(with: peer, plan: plan)
    }

    /// The span an audit with `plan` covers now (the defaults filled in).
    package func auditSpan(for plan: AuditPlan) async -> Range<Int64> {
        await self.archiveAudit.span(for: plan)
    }

    /// Sends one Store query to `peer` and returns its response.
    package func query(_ request: StoreQueryRequest, peer: PeerID) async throws -> StoreQueryResponse {
        try await self.storeClient.query(request, peer: peer)
    }

    /// Waits until nothing more is awaited from `peer` (pushed, fetched or given up) and its
    /// pushes have paused for `quiet`, or `timeout` passes; returns the transfer queue. Both
    /// waits are on the node's clock.
    ///
    /// Pushes into ranges where we said we hold nothing are not announced by hash (§5.2), so
    /// only a pause in arrivals tells that they are over.
    package func settle(with peer: PeerID, quiet: Duration = .seconds(1), timeout: Duration) async -> TransferQueue? {
        let engine = self.engine
        let clock = self.clock
        let now = self.now
        _ = await withTimeout(timeout, on: clock) {
            while !Task.isCancelled {
                let before = await engine.lastArrival(from: peer)
                do { try await clock.sleep(for: quiet) } catch { return }
                let pending = await engine.hasPending(from: peer)
                let after = await engine.lastArrival(from: peer)
                let ingesting = await engine.ingestBytes > 0
                if !pending && !ingesting && before == after && (after.map { now() - $0 >= quiet.nanoseconds } ?? true)
                {
                    return
                }
            }
        }
        return await engine.queue(of: peer)
    }

    /// The number of messages in the archive and in the sync index.
    package func archiveSnapshot() async -> ArchiveSnapshot {
        await self.engine.archiveSnapshot
    }

    /// The number of messages in the archive, counted by the archive.
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

    /// Waits until ``run()`` has started the host (with or without listen addresses), at most
    /// `timeout` on the node's clock.
    package func waitUntilStarted(timeout: Duration = .seconds(20)) async throws {
        let started = await withTimeout(timeout, on: self.clock) {
            await self.started.wait { self.info.withLock { $0 != nil } }
            return true
        }
        guard started == true else { throw NodeError("the node did not start within \(timeout)") }
    }
}
