import Foundation
import Libp2p
import NodeEvents
import Testing
import WakuArchive
import WakuCore
import WakuNode
import WakuTestSupport

/// Who a peer is, and what the node trusts before it knows: peers that will not say their
/// metadata, static peers given without an identity, and an archive that lies about its order.
@Suite("Hostile input: identities and start-up", .timeLimit(.minutes(2)))
struct HostilePeerIdentityTests {
    @Test("a peer that does not speak Waku metadata is disconnected, with a notice")
    func metadataRefusal() async throws {
        let directory = try TemporaryDirectory(prefix: "wakusync-metadata")
        defer { directory.remove() }
        try await Hostile.withNode(Hostile.configuration("target", in: directory)) { node, log in
            try await Hostile.withHosts(1, metadata: false) { hosts in
                let plain = hosts[0]
                let id = plain.peerID.description
                _ = try await plain.dial(try Multiaddr(parsing: try #require(node.listenAddresses.first)))
                let noticed = try await log.wait { _ in
                    log.notices.contains { $0.peerID == id && $0.message.contains("disconnecting: metadata") }
                }
                #expect(noticed, "\(log.notices)")
                let dropped = try await NodeCluster.eventually { await plain.connectedPeers.isEmpty }
                #expect(dropped, "the node closed the connection")
                let state = try await NodeCluster.eventually {
                    await node.peerSnapshots().first { $0.peerID == id }?.state == .disconnected
                }
                #expect(state)
            }
        }
    }

    @Test(
        "a static peer without /p2p/ is dialled with a warning and pinned; another identity later at that address is refused"
    )
    func staticPeerPinned() async throws {
        let directory = try TemporaryDirectory(prefix: "wakusync-pinned")
        defer { directory.remove() }
        try await Hostile.withNode(Hostile.configuration("first", in: directory)) { first, firstLog in
            let full = try #require(first.listenAddresses.first)
            let bare = String(full[..<(try #require(full.range(of: "/p2p/"))).lowerBound])
            var pinning = Hostile.configuration("pinning", in: directory)
            pinning.staticPeers = [bare]
            try await Hostile.withNode(pinning) { node, log in
                let warned = try await log.wait { _ in
                    log.notices.contains { $0.severity == .warning && $0.message.contains("has no /p2p/") }
                }
                #expect(warned)
                let pinned = try await NodeCluster.eventually {
                    await node.peerSnapshots().contains {
                        $0.peerID == first.peerID && $0.state == .connected && $0.isStatic
                            && $0.address?.hasSuffix("/p2p/\(first.peerID)") == true
                    }
                }
                let peers = await node.peerSnapshots()
                #expect(pinned, "\(peers)")

                // The first node goes away and another identity takes its port.
                first.stop()
                let stopped = try await firstLog.wait { $0.contains { if case .stopping = $0 { true } else { false } } }
                try #require(stopped)
                var impostor = Hostile.configuration("impostor", in: directory)
                impostor.listenAddresses = [bare]
                try await Hostile.withNode(impostor) { other, _ in
                    await other.publish(NodeCluster.messages(3, seed: 61, now: NodeCluster.now))
                    let refused = try await log.wait { _ in
                        log.events.contains {
                            guard case .peerUpdated(let peer) = $0 else { return false }
                            return peer.peerID == first.peerID && peer.lastError?.contains("peerIDMismatch") == true
                        }
                    }
                    #expect(refused, "the redial checks the pinned identity")
                    let known = await node.peerSnapshots()
                    #expect(known.allSatisfy { $0.peerID != other.peerID })
                    #expect(try await node.storedHashes().isEmpty)
                }
            }
        }
    }

    @Test("an archive returning the sync window out of order is reported, and the node starts with a correct index")
    func corruptSyncWindow() async throws {
        let directory = try TemporaryDirectory(prefix: "wakusync-corrupt-window")
        defer { directory.remove() }
        let configuration = Hostile.configuration("target", in: directory)
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        let now = NodeCluster.now
        let held = NodeCluster.messages(300, seed: 71, now: now)
        let archive = try Archive(path: configuration.dataDirectory + "/archive.sqlite3")
        _ = try await archive.insert(
            held.map { ArchivedMessage(pubsubTopic: $0.pubsubTopic, message: $0.message, source: .relay) }
        )
        try await Hostile.withNode(configuration, archive: ReversedWindowArchive(archive)) { node, log in
            let reported = try await log.wait { _ in
                log.notices.contains { $0.severity == .error && $0.message.contains("out of order") }
            }
            #expect(reported)
            #expect(await node.archiveSnapshot().syncIndexItems == held.count)
            // Fingerprints over a correct index match a peer holding the same messages exactly.
            try await NodeCluster.with(1) { peers in
                let extra = NodeCluster.messages(10, seed: 72, now: now)
                await peers[0].publish(held + extra)
                let peer = try await node.connect(to: try #require(peers[0].listenAddresses.first))
                let end = try #require(await node.syncNow(with: peer))
                #expect(end.outcome == .reconciled && end.weNeed == extra.count && end.theyNeed == 0)
            }
        }
    }
}

/// The SQLite archive with one fault: it returns the sync window newest first, as a damaged time
/// index could.
struct ReversedWindowArchive: MessageArchive {
    let base: Archive

    init(_ base: Archive) {
        self.base = base
    }

    var location: String { self.base.location }

    func syncEntries(from: Int64, to: Int64) async throws(ArchiveError) -> [SyncEntry] {
        try await self.base.syncEntries(from: from, to: to).reversed()
    }

    func insertReportingNew(
        _ batch: [ArchivedMessage]
    ) async throws(ArchiveError) -> (outcome: InsertOutcome, newlyStored: Set<MessageHash>) {
        try await self.base.insertReportingNew(batch)
    }

    func messages(withHashes hashes: [MessageHash]) async throws(ArchiveError) -> [StoredMessage] {
        try await self.base.messages(withHashes: hashes)
    }

    func messages(
        from: Int64?,
        to: Int64?,
        pubsubTopic: String?,
        contentTopics: [String],
        after: (timestamp: Int64, hash: MessageHash)?,
        limit: Int
    ) async throws(ArchiveError) -> [StoredMessage] {
        try await self.base.messages(
            from: from,
            to: to,
            pubsubTopic: pubsubTopic,
            contentTopics: contentTopics,
            after: after,
            limit: limit
        )
    }

    func query(_ request: StoreQueryRequest) async -> StoreQueryResponse { await self.base.query(request) }

    func apply(
        _ policy: RetentionPolicy,
        now: Int64,
        itemizingFrom: Int64
    ) async throws(ArchiveError) -> RetentionOutcome {
        try await self.base.apply(policy, now: now, itemizingFrom: itemizingFrom)
    }

    func auditBuckets(
        _ level: AuditLevel,
        from: Int64,
        to: Int64,
        pubsubTopics: [String]
    ) async throws(ArchiveError) -> [AuditBucket] {
        try await self.base.auditBuckets(level, from: from, to: to, pubsubTopics: pubsubTopics)
    }

    func auditItems(
        from: Int64,
        to: Int64,
        pubsubTopics: [String],
        limit: Int
    ) async throws(ArchiveError) -> [AuditItem] {
        try await self.base.auditItems(from: from, to: to, pubsubTopics: pubsubTopics, limit: limit)
    }

    func checkAuditBuckets(repair: Bool) async throws(ArchiveError) -> AuditBucketCheck {
        try await self.base.checkAuditBuckets(repair: repair)
    }

    func auditBucketsLookSound() async throws(ArchiveError) -> Bool { try await self.base.auditBucketsLookSound() }

    func recordOnline(at now: Int64) async throws(ArchiveError) { try await self.base.recordOnline(at: now) }

    func lastOnline() async throws(ArchiveError) -> Int64? { try await self.base.lastOnline() }

    func count() async throws(ArchiveError) -> Int { try await self.base.count() }

    func stats() async throws(ArchiveError) -> ArchiveStats { try await self.base.stats() }

    func close() async throws(ArchiveError) { try self.base.close() }
}
