import NodeEvents
import Testing
import WakuCore
import WakuNode
import WakuTestSupport

@Suite("Count audit between wakusync peers", .timeLimit(.minutes(1)))
struct AuditTests {
    @Test("messages hidden by XOR cancellation are detected by the counts and pulled")
    func hiddenMessagesArePulled() async throws {
        try await NodeCluster.with(2) { nodes in
            let now = NodeCluster.now
            let candidates = NodeCluster.messages(300, seed: 31, now: now)
            let hidden = XorCancellation.subset(of: candidates.map { $0.message.hash(pubsubTopic: $0.pubsubTopic) }).map
            { candidates[$0] }
            try #require(hidden.count > 2)
            let shared = NodeCluster.messages(500, seed: 32, now: now)
            await nodes[0].publish(shared + hidden)
            await nodes[1].publish(shared)
            let peer = try await nodes[1].connect(to: try #require(nodes[0].listenAddresses.first))
            let audits = try await NodeCluster.eventually {
                await nodes[1].peerSnapshots().first?.protocols.contains(WakuNode.auditProtocol) == true
            }
            try #require(audits)
            let events = nodes[1].events.subscribe()
            let end = try #require(await nodes[1].syncNow(with: peer))
            // Reconciliation itself sees nothing: the XOR of the hidden set is zero.
            #expect(end.weNeed == 0 && end.theyNeed == 0 && end.rounds == 1)
            let warned = await NodeCluster.event(on: events) { event in
                if case .notice(let notice) = event { notice.message.contains("counts differ") } else { false }
            }
            #expect(warned != nil)
            let expected = Set((shared + hidden).map { $0.message.hash(pubsubTopic: $0.pubsubTopic) })
            let pulled = try await NodeCluster.eventually { Set(try await nodes[1].storedHashes()) == expected }
            #expect(pulled)
        }
    }
}
