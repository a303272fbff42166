import Foundation
import Libp2p
import NIOPosix
import NodeEvents
import Synchronization
import Testing
import WakuCore
import WakuNode
import WakuSync
import WakuTestSupport

@Suite("Transfer refuses what no session asked for", .timeLimit(.minutes(1)))
struct TransferRefusalTests {
    /// Rejections counted by reason until `total` arrived or 10 s passed.
    static func rejections(_ events: AsyncStream<NodeEvent>, until total: Int) async -> [Rejection: Int] {
        let counts = Mutex<[Rejection: Int]>([:])
        _ = await NodeCluster.event(on: events, timeout: .seconds(10)) { event in
            guard case .rejected(let rejected) = event else { return false }
            return counts.withLock {
                $0[rejected.reason, default: 0] += rejected.count
                return $0.values.reduce(0, +) >= total
            }
        }
        return counts.withLock { $0 }
    }

    @Test("pushes from a peer without a session are refused and nothing is stored")
    func unsolicited() async throws {
        try await NodeCluster.with(1) { nodes in
            let node = nodes[0]
            let events = node.events.subscribe()
            try await RoguePeer.with { rogue in
                let peer = try await rogue.dial(try Multiaddr(parsing: try #require(node.listenAddresses.first)))
                let stream = try await rogue.openStream(to: peer, protocolID: WakuNode.transferProtocol)
                for payload in NodeCluster.messages(5, seed: 1, now: NodeCluster.now) {
                    try await stream.writeMessage(payload.serialized())
                }
                await stream.close()
                let counts = await Self.rejections(events, until: 5)
                #expect(counts == [.noSession: 5])
                #expect(try await node.storedHashes().isEmpty)
            }
        }
    }

    @Test(
        "after a session, only what it asked for is stored; forged, late, foreign and broken pushes are counted by reason"
    )
    func afterSession() async throws {
        try await NodeCluster.with(1, configure: { _, configuration in configuration.shards = [0] }) { nodes in
            let node = nodes[0]
            let now = NodeCluster.now
            let shared = NodeCluster.messages(30, seed: 2, now: now)
            let extras = NodeCluster.messages(5, seed: 3, now: now)
            await node.publish(shared)
            let events = node.events.subscribe()
            try await RoguePeer.with { rogue in
                let index = SyncIndex()
                for payload in shared + extras {
                    let hash = payload.message.hash(pubsubTopic: payload.pubsubTopic)
                    let id = SyncID(timestamp: payload.message.timestamp, hash: hash)
                    index.insert(id, pubsubTopic: payload.pubsubTopic, contentTopic: payload.message.contentTopic)
                }
                let peer = try await rogue.dial(try Multiaddr(parsing: try #require(node.listenAddresses.first)))
                let window = (now - 3_620_000_000_000, now - 20_000_000_000)
                let session = try await RoguePeer.reconcile(
                    rogue,
                    with: peer,
                    index: index,
                    from: window.0,
                    to: window.1
                )
                #expect(Set(session.hashesToSend) == Set(extras.map { $0.message.hash(pubsubTopic: $0.pubsubTopic) }))
                // Stamped like one of the node's own messages, the forged push cannot fall in a range
                // where the node said it holds nothing (bounds are (time, zero hash)).
                var forged = NodeCluster.messages(1, seed: 4, now: now)[0]
                forged.message.timestamp = shared[0].message.timestamp
                let late = TransferPayload(
                    pubsubTopic: "/waku/2/rs/0/0",
                    message: WakuMessage(payload: [1], contentTopic: "/x/1/y/z", timestamp: now - 7_200_000_000_000)
                )
                let foreign = NodeCluster.messages(1, seed: 5, now: now, pubsubTopic: "/waku/2/rs/0/9")[0]
                var ephemeral = NodeCluster.messages(1, seed: 6, now: now)[0]
                ephemeral.message.ephemeral = true
                let stream = try await rogue.openStream(to: peer, protocolID: WakuNode.transferProtocol)
                for payload in extras + [forged, late, foreign, ephemeral] {
                    try await stream.writeMessage(payload.serialized())
                }
                try await stream.writeMessage([0xff, 0x01, 0x02])
                await stream.close()
                let counts = await Self.rejections(events, until: 5)
                #expect(counts == [.unrequested: 1, .outsideWindow: 1, .outsideScope: 1, .ephemeral: 1, .malformed: 1])
                let expected = Set((shared + extras).map { $0.message.hash(pubsubTopic: $0.pubsubTopic) })
                let stored = try await NodeCluster.eventually { Set(try await node.storedHashes()) == expected }
                #expect(stored)
            }
        }
    }
}
