import Foundation
import Libp2p
import NodeEvents
import Testing
import WakuCore
import WakuNode
import WakuTestSupport

@Suite("Nodes on loopback", .timeLimit(.minutes(2)))
struct NodeSyncTests {
    @Test("two nodes with different messages converge after one session")
    func twoNodesConverge() async throws {
        try await NodeCluster.with(2) { nodes in
            let now = NodeCluster.now
            let shared = NodeCluster.messages(200, seed: 1, now: now)
            await nodes[0].publish(shared + NodeCluster.messages(30, seed: 2, now: now))
            await nodes[1].publish(shared + NodeCluster.messages(40, seed: 3, now: now))
            let address = try #require(await nodes[1].listenAddresses.first)
            let peer = try await nodes[0].connect(to: address)
            let end = try #require(await nodes[0].syncNow(with: peer))
            #expect(end.outcome == .reconciled)
            #expect(end.weNeed == 40 && end.theyNeed == 30)
            let converged = try await NodeCluster.eventually {
                let first = try await nodes[0].storedHashes()
                let second = try await nodes[1].storedHashes()
                return first.count == 270 && Set(first) == Set(second)
            }
            #expect(converged)
        }
    }
}
