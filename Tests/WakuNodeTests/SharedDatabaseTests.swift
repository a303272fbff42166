import NodeEvents
import Testing
import WakuArchive
import WakuArchivePostgres
import WakuCore
import WakuNode
import WakuTestSupport

/// Nodes on PostgreSQL in nwaku's schema (issue 12): several nodes can share one database.
@Suite("Nodes on a shared PostgreSQL database", .timeLimit(.minutes(2)))
struct SharedDatabaseTests {
    @Test("two nodes on one database both serve the union, and a sync between them finds nothing")
    func sharedDatabase() async throws {
        let database = try await PostgresTestDatabase.create()
        let now = NodeCluster.now
        let first = NodeCluster.messages(40, seed: 21, now: now)
        let second = NodeCluster.messages(30, seed: 22, now: now)
        do {
            // Two writers fill the database before the nodes start: one as wakusync writes,
            // one inserting the same messages again (conflicts are ignored, as nwaku's are).
            let writers = [
                try await PostgresArchive.open(database.location), try await PostgresArchive.open(database.location),
            ]
            _ = try await writers[0].insert(
                first.map { ArchivedMessage(pubsubTopic: $0.pubsubTopic, message: $0.message, source: .relay) }
            )
            _ = try await writers[1].insert(
                (first + second).map {
                    ArchivedMessage(pubsubTopic: $0.pubsubTopic, message: $0.message, source: .relay)
                }
            )
            for writer in writers { try await writer.close() }
        }
        let union = Set((first + second).map { $0.message.hash(pubsubTopic: $0.pubsubTopic) })
        try await NodeCluster.with(2, archive: { _ in try await PostgresArchive.open(database.location) }) { nodes in
            for node in nodes {
                #expect(Set(try await node.storedHashes()) == union)
                #expect(await node.archiveSnapshot().syncIndexItems == union.count)
            }
            // Both answer Store queries with every message, whichever wrote it.
            let peer = try await nodes[0].connect(to: try #require(nodes[1].listenAddresses.first))
            var request = StoreQueryRequest(
                requestID: "shared",
                includeData: false,
                paginationForward: true,
                paginationLimit: 100
            )
            request.pubsubTopic = "/waku/2/rs/0/0"
            let answer = try await nodes[0].query(request, peer: peer)
            #expect(Set(answer.messages.map(\.messageHash)) == union)
            let end = try #require(await nodes[0].syncNow(with: peer))
            #expect(end.outcome == .reconciled && end.weNeed == 0 && end.theyNeed == 0)
        }
        await database.drop()
    }

    @Test("when part of a batch fails to commit, what was stored still enters the sync index")
    func partialWriteFailure() async throws {
        let database = try await PostgresTestDatabase.create()
        let now = NodeCluster.now
        let poison = "/wakusync/1/poison/proto"
        let good = NodeCluster.messages(599, seed: 31, now: now)
        let bad = NodeCluster.messages(1, seed: 32, now: now, contentTopic: poison)
        do {
            try await PostgresArchive.open(database.location).close()
            // A row trigger that refuses one message: the transaction holding it rolls back, the
            // other part of the batch (written at the same time) commits.
            try await PostgresTestDatabase.run(
                "CREATE FUNCTION refuse_poison() RETURNS trigger AS $$ BEGIN IF NEW.contenttopic = '\(poison)' "
                    + "THEN RAISE EXCEPTION 'poisoned row'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
                on: database.location
            )
            try await PostgresTestDatabase.run(
                "CREATE TRIGGER refuse_poison BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION refuse_poison()",
                on: database.location
            )
        }
        try await NodeCluster.with(1, archive: { _ in try await PostgresArchive.open(database.location) }) { nodes in
            let node = nodes[0]
            let events = node.events.subscribe()
            await node.publish(good + bad)
            let failure = await NodeCluster.event(on: events) { event in
                guard case .notice(let notice) = event else { return false }
                return notice.message.contains("archive write failed")
            }
            #expect(failure != nil)
            let stored = try await node.storedHashes()
            #expect(!stored.isEmpty && stored.count < 600, "one part committed, the poisoned part did not")
            #expect(await node.archiveSnapshot().syncIndexItems == stored.count)
            #expect(await node.archiveSnapshot().messages == stored.count)
            // The index holds exactly what the archive holds: a sync with an empty peer offers it all.
            let badHash = bad[0].message.hash(pubsubTopic: bad[0].pubsubTopic)
            #expect(!stored.contains(badHash))
        }
        await database.drop()
    }
}
