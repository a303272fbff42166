import Foundation
import NodeEvents
import WakuArchive
import Testing
import WakuCore
import WakuNode
import WakuTestSupport

@Suite("Archive audit between two store nodes", .timeLimit(.minutes(2)))
struct ArchiveAuditTests {
    static let day: Int64 = 86_400_000_000_000

    /// Messages spread over the two days ending eight hours ago: far older than Waku Sync's hour
    /// and Store Resume's six hours.
    static func old(_ count: Int, seed: UInt64) -> [TransferPayload] {
        NodeCluster.messages(
            count,
            seed: seed,
            now: NodeCluster.now - 8 * 3_600_000_000_000,
            span: .seconds(2 * 86_400)
        )
    }

    static func hashes(_ messages: [TransferPayload]) -> Set<MessageHash> {
        Set(messages.map { $0.message.hash(pubsubTopic: $0.pubsubTopic) })
    }

    @Test("gaps older than six hours are found bucket by bucket and repaired both ways")
    func findsAndRepairsOldGaps() async throws {
        try await NodeCluster.with(2) { nodes in
            let shared = Self.old(600, seed: 1)
            let onlyA = Self.old(7, seed: 2)
            let onlyB = Self.old(5, seed: 3)
            await nodes[0].publish(shared + onlyA)
            await nodes[1].publish(shared + onlyB)
            let peer = try await nodes[0].connect(to: try #require(nodes[1].listenAddresses.first))

            let report = await nodes[0].audit(peer, plan: AuditPlan(repair: true))
            #expect(report.method == .buckets)
            #expect(report.outcome == .repaired, "\(report.detail ?? "")")
            #expect(report.missingHereCount == onlyB.count && report.missingThereCount == onlyA.count)
            #expect(report.roundTrips <= 8)
            #expect(report.repair?.stored == onlyB.count && report.repair?.acceptedByPeer == onlyA.count)
            #expect(report.days.contains { !$0.agrees })
            let differingMinutes = report.days.flatMap(\.hours).flatMap(\.minutes)
            #expect(differingMinutes.reduce(0) { $0 + $1.missingHereCount + $1.missingThereCount } == 12)
            let theirHashes = onlyA.map { $0.message.hash(pubsubTopic: $0.pubsubTopic).hex }
            #expect(Set(report.missingThere) == Set(theirHashes))

            let all = Self.hashes(shared + onlyA + onlyB)
            #expect(Set(try await nodes[0].storedHashes()) == all)
            #expect(Set(try await nodes[1].storedHashes()) == all)
            let again = await nodes[0].audit(peer, plan: AuditPlan())
            #expect(again.outcome == .consistent && again.roundTrips == 1)
        }
    }

    @Test("a set of messages whose hashes XOR to the same value is still told apart and repaired")
    func xorCancellingSet() async throws {
        try await NodeCluster.with(2) { nodes in
            let minute = AuditLevel.minute.bucketStart(of: NodeCluster.now - Self.day)
            let candidates = (0..<260).map { index in
                TransferPayload(
                    pubsubTopic: "/waku/2/rs/0/0",
                    message: WakuMessage(
                        payload: Array("xor-\(index)".utf8),
                        contentTopic: "/wakusync/1/test/proto",
                        timestamp: minute + Int64(index) * 1_000_000
                    )
                )
            }
            let subset = XorCancellation.evenSubset(of: candidates.map { $0.message.hash(pubsubTopic: $0.pubsubTopic) })
            let left = subset.prefix(subset.count / 2).map { candidates[$0] }
            let right = subset.suffix(subset.count / 2).map { candidates[$0] }
            let xor = { (items: [TransferPayload]) in
                items.reduce(MessageHash.zero) { $0 ^ $1.message.hash(pubsubTopic: $1.pubsubTopic) }
            }
            try #require(!left.isEmpty && xor(left) == xor(right), "no balanced XOR-cancelling split")
            let shared = Self.old(100, seed: 4)
            await nodes[0].publish(shared + left)
            await nodes[1].publish(shared + right)
            let peer = try await nodes[0].connect(to: try #require(nodes[1].listenAddresses.first))
            // The minute holds more than a listed minute may: the peer slices it, and answers the
            // prefixes and the fetch from the hashes it kept from the slices request.
            let report = await nodes[0].audit(peer, plan: AuditPlan(repair: true))
            #expect(report.missingHereCount == right.count && report.missingThereCount == left.count)
            #expect(report.outcome == .repaired, "\(report.detail ?? "")")
            let all = Self.hashes(shared + left + right)
            #expect(Set(try await nodes[0].storedHashes()) == all)
            #expect(Set(try await nodes[1].storedHashes()) == all)
        }
    }

    @Test("buckets that differ only through messages past the span's end are reported as agreeing")
    func differenceOutsideTheSpan() async throws {
        try await NodeCluster.with(2) { nodes in
            let shared = Self.old(200, seed: 10)
            let end = AuditLevel.minute.bucketStart(of: NodeCluster.now - Self.day) + 30_000_000_000
            // Ten seconds past the span's end, in the same minute, hour and day as its last moments.
            let after = TransferPayload(
                pubsubTopic: "/waku/2/rs/0/0",
                message: WakuMessage(
                    payload: Array("after the span".utf8),
                    contentTopic: "/wakusync/1/test/proto",
                    timestamp: end + 10_000_000_000
                )
            )
            await nodes[0].publish(shared)
            await nodes[1].publish(shared + [after])
            let peer = try await nodes[0].connect(to: try #require(nodes[1].listenAddresses.first))
            let report = await nodes[0].audit(peer, plan: AuditPlan(from: end - 3 * Self.day, to: end))
            #expect(report.outcome == .consistent, "\(report.detail ?? "")")
            #expect(report.missingHereCount == 0 && report.missingThereCount == 0)
            #expect(report.days.allSatisfy(\.agrees) && report.days.flatMap(\.hours).allSatisfy(\.agrees))
            // The buckets did differ: the descent went down to that minute.
            #expect(report.days.contains { !$0.hours.isEmpty })
            #expect(report.roundTrips >= 4)

            let whole = await nodes[0].audit(peer, plan: AuditPlan(from: end - 3 * Self.day, to: end + Self.day))
            #expect(whole.outcome == .differences && whole.missingHereCount == 1)
            #expect(whole.days.contains { !$0.agrees })
        }
    }

    @Test("a peer without the audit protocol is audited with Store queries, within the query budget")
    func storeFallback() async throws {
        try await NodeCluster.with(
            2,
            configure: { number, configuration in
                configuration.servesArchiveAudit = number == 0
            }
        ) { nodes in
            let shared = Self.old(300, seed: 5)
            let onlyA = Self.old(4, seed: 6)
            let onlyB = Self.old(3, seed: 7)
            await nodes[0].publish(shared + onlyA)
            await nodes[1].publish(shared + onlyB)
            let peer = try await nodes[0].connect(to: try #require(nodes[1].listenAddresses.first))
            let span = (NodeCluster.now - 3 * Self.day)..<(NodeCluster.now - 7 * 3_600_000_000_000)
            let starved = await nodes[0].audit(
                peer,
                plan: AuditPlan(from: span.lowerBound, to: span.upperBound, maxQueries: 5)
            )
            #expect(starved.method == .store && starved.outcome == .incomplete && starved.roundTrips == 5)

            let report = await nodes[0].audit(
                peer,
                plan: AuditPlan(from: span.lowerBound, to: span.upperBound, repair: true)
            )
            #expect(report.method == .store)
            // We are repaired. Our pushes go out over transfer, but a wakusync peer takes pushes
            // only inside a sync session, and the Store queries that follow say so.
            #expect(report.outcome == .differences)
            #expect(report.detail?.contains("\(onlyA.count) pushed but not stored by the peer") == true)
            #expect(report.missingHereCount == onlyB.count && report.missingThereCount == onlyA.count, "\(report)")
            #expect(report.repair?.stored == onlyB.count && report.repair?.pushed == onlyA.count)
            #expect(report.repair?.acceptedByPeer == 0 && report.repair?.notPushed == 0)
            #expect(Set(try await nodes[0].storedHashes()) == Self.hashes(shared + onlyA + onlyB))
            // The hours each side holds messages in, counted from both sides.
            #expect(report.days.reduce(0) { $0 + $1.theirs } == Int64(shared.count + onlyB.count))
        }
    }

    @Test("a gap made while a node was stopped, older than Store Resume reaches, is found and repaired")
    func gapWhileStopped() async throws {
        let directory = try TemporaryDirectory(prefix: "wakusync-audit-gap")
        defer { directory.remove() }
        let paths = ["a", "b"].map { directory.file("archive-\($0).sqlite3").path }
        let archives: @Sendable (Int) async throws -> (any MessageArchive)? = { try Archive(path: paths[$0]) }
        let shared = Self.old(200, seed: 8)
        // Both nodes run and hold the same traffic.
        try await NodeCluster.with(2, archive: archives) { nodes in
            for node in nodes { await node.publish(shared) }
        }
        // The second node is down while the first receives traffic stamped ten hours ago (a peer
        // that was itself offline, or a late bridge): beyond Resume's six hours and Sync's hour.
        let late = NodeCluster.messages(
            9,
            seed: 9,
            now: NodeCluster.now - 10 * 3_600_000_000_000,
            span: .seconds(1_800)
        )
        try await NodeCluster.with(1, archive: archives) { nodes in await nodes[0].publish(late) }
        // Both run again; the second audits the first and repairs.
        try await NodeCluster.with(
            2,
            configure: { _, configuration in
                configuration.storeResume = true
            },
            archive: archives
        ) { nodes in
            #expect(Set(try await nodes[1].storedHashes()) == Self.hashes(shared))
            let peer = try await nodes[1].connect(to: try #require(nodes[0].listenAddresses.first))
            let report = await nodes[1].audit(peer, plan: AuditPlan(repair: true))
            #expect(
                report.outcome == .repaired && report.missingHereCount == late.count && report.missingThereCount == 0
            )
            #expect(report.repair?.stored == late.count)
            #expect(Set(try await nodes[1].storedHashes()) == Self.hashes(shared + late))
        }
    }
}
