import NodeEvents
import Testing
import WakuNode
import WakuTestSupport

/// Holds a node without keeping it alive.
private final class WeakNode: @unchecked Sendable {
    weak var node: WakuNode?
    init(_ node: WakuNode) { self.node = node }
}

@Suite("Node lifetime", .timeLimit(.minutes(1)))
struct NodeLifetimeTests {
    // A restarted node (demo churn, an embedding app) must not leave its predecessor's index,
    // archive connections and sockets behind.
    @Test("a node that has served peers is freed once it has stopped")
    func stoppedNodeIsFreed() async throws {
        let watched = try await NodeCluster.with(2) { nodes in
            let now = NodeCluster.now
            await nodes[0].publish(NodeCluster.messages(50, seed: 1, now: now))
            await nodes[1].publish(NodeCluster.messages(60, seed: 2, now: now))
            let address = try #require(nodes[1].listenAddresses.first)
            let peer = try await nodes[0].connect(to: address)
            _ = try #require(await nodes[0].syncNow(with: peer))
            let converged = try await NodeCluster.eventually {
                let first = try await nodes[0].storedHashes().count
                let second = try await nodes[1].storedHashes().count
                return first == 110 && second == 110
            }
            #expect(converged)
            return nodes.map(WeakNode.init)
        }
        let freed = try await NodeCluster.eventually(timeout: .seconds(10)) {
            watched.allSatisfy { $0.node == nil }
        }
        #expect(freed)
    }

    @Test("relay nodes that meshed and relayed are freed once they have stopped")
    func stoppedRelayNodesAreFreed() async throws {
        let watched = try await NodeCluster.with(2, configure: { _, configuration in configuration.relay = true }) {
            nodes in
            try await RelayTests.link(nodes[0], to: nodes[1])
            let hash = try await nodes[0].relayPublish(RelayTests.message("lifetime"), on: RelayTests.topic)
            let stored = try await NodeCluster.eventually { try await nodes[1].storedHashes() == [hash] }
            #expect(stored)
            return nodes.map(WeakNode.init)
        }
        let freed = try await NodeCluster.eventually(timeout: .seconds(10)) {
            watched.allSatisfy { $0.node == nil }
        }
        #expect(freed)
    }

    // Watching a live peer, the header once said 2,727 messages for tens of seconds after 234
    // more were stored: the snapshot of a batch that came within a second of the previous one
    // was dropped, and nothing sent it later.
    @Test("the archive snapshot catches up with batches stored within a second of each other")
    func snapshotCatchesUp() async throws {
        try await NodeCluster.with(1) { nodes in
            let node = nodes[0]
            let events = node.events.subscribe()
            let now = NodeCluster.now
            await node.publish(NodeCluster.messages(10, seed: 1, now: now))
            await node.publish(NodeCluster.messages(15, seed: 2, now: now))
            let caughtUp = await NodeCluster.event(on: events, timeout: .seconds(10)) { event in
                guard case .archive(let snapshot) = event else { return false }
                return snapshot.messages == 25
            }
            #expect(caughtUp != nil)
        }
    }
}
