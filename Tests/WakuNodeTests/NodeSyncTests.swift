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
            let address = try #require(nodes[1].listenAddresses.first)
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

@Suite("A cluster on loopback", .timeLimit(.minutes(2)))
struct ClusterTests {
    @Test("four nodes with different message sets converge to identical archives by periodic sync")
    func fourNodesConverge() async throws {
        try await NodeCluster.with(
            4,
            configure: { _, configuration in configuration.syncInterval = .milliseconds(500) }
        ) { nodes in
            let now = NodeCluster.now
            let shared = NodeCluster.messages(300, seed: 10, now: now)
            var union = Set(shared.map { $0.message.hash(pubsubTopic: $0.pubsubTopic) })
            for (number, node) in nodes.enumerated() {
                let own = NodeCluster.messages(50 + 10 * number, seed: 20 + UInt64(number), now: now)
                union.formUnion(own.map { $0.message.hash(pubsubTopic: $0.pubsubTopic) })
                await node.publish(shared + own)
            }
            for (index, node) in nodes.enumerated() {
                for other in nodes[(index + 1)...] {
                    node.send(.addPeer(multiaddr: try #require(other.listenAddresses.first)))
                }
            }
            let target = union
            let converged = try await NodeCluster.eventually(timeout: .seconds(60)) {
                for node in nodes where Set(try await node.storedHashes()) != target { return false }
                return true
            }
            #expect(converged)
            let peers = await nodes[0].peerSnapshots()
            #expect(peers.count == 3 && peers.allSatisfy { $0.state == .connected && $0.speaksSync })
        }
    }
}

@Suite("The sync scheduler, on a test clock", .timeLimit(.minutes(1)))
struct SchedulerTests {
    @Test("every interval one eligible peer is synced; a paused peer is skipped")
    func schedule() async throws {
        let clock = ManualClock()
        try await NodeCluster.with(
            2,
            configure: { number, configuration in configuration.syncInterval = number == 0 ? .seconds(300) : .zero },
            clock: { number in number == 0 ? clock as any Clock<Duration> : ContinuousClock() }
        ) { nodes in
            let events = nodes[0].events.subscribe()
            let now = NodeCluster.now
            await nodes[1].publish(NodeCluster.messages(25, seed: 5, now: now))
            let peer = try await nodes[0].connect(to: try #require(nodes[1].listenAddresses.first))
            let identified = try await NodeCluster.eventually {
                await nodes[0].peerSnapshots().first { $0.peerID == peer.description }?.speaksSync == true
            }
            try #require(identified)
            // Nothing happens before the interval has passed. Each deadline may move by up to 5 %
            // of the interval (15 s), so every step below advances 315 s.
            #expect(try await nodes[0].storedHashes().isEmpty)
            clock.advance(by: .seconds(315))
            let ended = await NodeCluster.event(on: events) { if case .sessionEnded = $0 { true } else { false } }
            guard case .sessionEnded(let end)? = ended else {
                Issue.record("no session after one interval")
                return
            }
            // We hold nothing, so we say so per range and the peer pushes all 25 unlisted (§5.2).
            #expect(end.role == .initiator && end.peerID == peer.description && end.theyNeed == 0)
            let arrived = try await NodeCluster.eventually { try await nodes[0].storedHashes().count == 25 }
            #expect(arrived)

            nodes[0].send(.pause(peerID: peer.description))
            let paused = try await NodeCluster.eventually { await nodes[0].peerSnapshots().first?.isPaused == true }
            try #require(paused)
            let started = nodes[0].events.subscribe()
            clock.advance(by: .seconds(315))
            let none = await NodeCluster.event(on: started, timeout: .seconds(2)) {
                if case .sessionStarted = $0 { true } else { false }
            }
            #expect(none == nil, "a paused peer must not be synced")
            // Unpaused, the next interval syncs again.
            nodes[0].send(.unpause(peerID: peer.description))
            let unpaused = try await NodeCluster.eventually { await nodes[0].peerSnapshots().first?.isPaused == false }
            try #require(unpaused)
            let later = nodes[0].events.subscribe()
            clock.advance(by: .seconds(315))
            let again = await NodeCluster.event(on: later) { if case .sessionEnded = $0 { true } else { false } }
            #expect(again != nil)
        }
    }
}
