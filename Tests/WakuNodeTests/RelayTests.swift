import Foundation
import Gossipsub
import Libp2p
import NodeEvents
import Testing
import WakuCore
import WakuNode
import WakuTestSupport

@Suite("Relay between nodes on loopback", .timeLimit(.minutes(2)))
struct RelayTests {
    static let topic = "/waku/2/rs/0/0"

    static func message(_ text: String, at timestamp: Int64 = NodeCluster.now) -> WakuMessage {
        WakuMessage(payload: Array(text.utf8), contentTopic: "/wakusync/1/relay/proto", timestamp: timestamp)
    }

    /// Connects `node` to `other` and waits until each has the other in its mesh on the topic.
    static func link(_ node: WakuNode, to other: WakuNode) async throws {
        let address = try #require(other.listenAddresses.first)
        let ownID = node.peerID
        let peer = try await NodeCluster.connected(to: other, by: { try await node.connect(to: address) }) { _ in
            ownID
        }
        let meshed = try await NodeCluster.eventually {
            node.relayMesh(of: Self.topic).contains(peer)
                && other.relayMesh(of: Self.topic).contains { $0.description == node.peerID }
        }
        #expect(meshed, "no mesh between \(node.peerID) and \(peer)")
    }

    @Test("two relay nodes form a mesh; a message published at one is stored at the other")
    func twoNodes() async throws {
        try await NodeCluster.with(2, configure: { _, configuration in configuration.relay = true }) { nodes in
            try await Self.link(nodes[0], to: nodes[1])
            let message = Self.message("hello relay")
            let hash = try await nodes[0].relayPublish(message, on: Self.topic)
            #expect(hash == message.hash(pubsubTopic: Self.topic))
            let stored = try await NodeCluster.eventually { try await nodes[1].storedHashes().contains(hash) }
            #expect(stored)
            let peer = try #require(nodes[0].relayMesh(of: Self.topic).first)
            let response = try await nodes[0].query(
                StoreQueryRequest(requestID: "relay", includeData: true, messageHashes: [hash]),
                peer: peer
            )
            #expect(response.messages.map(\.messageHash) == [hash])
            #expect(response.messages.first?.message?.payload == message.payload)
            #expect(try await nodes[0].storedHashes().isEmpty, "our own publish is not delivered back")
            // Identify announces the Waku id only, as nwaku does, though the meshsub ids are served.
            let announced = try #require(await nodes[0].peerSnapshots().first { $0.peerID == peer.description })
            #expect(announced.protocols.contains("/vac/waku/relay/2.0.0"))
            #expect(!announced.protocols.contains { $0.hasPrefix("/meshsub/") })
        }
    }

    @Test("in a line A–B–C, B forwards A's message to C; a future one is rejected at B and goes no further")
    func lineForwards() async throws {
        try await NodeCluster.with(3, configure: { _, configuration in configuration.relay = true }) { nodes in
            let (a, b, c) = (nodes[0], nodes[1], nodes[2])
            try await Self.link(a, to: b)
            try await Self.link(c, to: b)
            let events = b.events.subscribe()
            let future = Self.message("from the future", at: NodeCluster.now + 60_000_000_000)
            let futureHash = try await a.relayPublish(future, on: Self.topic)
            let rejected = await NodeCluster.event(on: events) { event in
                guard case .rejected(let rejection) = event else { return false }
                return rejection.source == .relay && rejection.reason == .futureTimestamp
                    && rejection.peerID == a.peerID
            }
            #expect(rejected != nil)
            let honest = Self.message("through B")
            let hash = try await a.relayPublish(honest, on: Self.topic)
            let stored = try await NodeCluster.eventually { try await c.storedHashes().contains(hash) }
            #expect(stored)
            #expect(try await b.storedHashes() == [hash])
            #expect(try await !c.storedHashes().contains(futureHash))
        }
    }

    @Test("an ephemeral message is forwarded but not stored")
    func ephemeral() async throws {
        try await NodeCluster.with(3, configure: { _, configuration in configuration.relay = true }) { nodes in
            try await Self.link(nodes[0], to: nodes[1])
            try await Self.link(nodes[2], to: nodes[1])
            let events = nodes[1].events.subscribe()
            var ephemeral = Self.message("ephemeral")
            ephemeral.ephemeral = true
            _ = try await nodes[0].relayPublish(ephemeral, on: Self.topic)
            let relayed = await NodeCluster.event(on: events) { event in
                guard case .relayed(let relayed) = event else { return false }
                return relayed.ephemeral
            }
            guard case .relayed(let accepted) = relayed else {
                Issue.record("B reported no relayed ephemeral message")
                return
            }
            #expect(accepted.forwardedTo == 1 && accepted.peerID == nodes[0].peerID)
            let marker = try await nodes[0].relayPublish(Self.message("after"), on: Self.topic)
            let arrived = try await NodeCluster.eventually { try await nodes[2].storedHashes().contains(marker) }
            #expect(arrived)
            #expect(try await nodes[1].storedHashes() == [marker])
            #expect(try await nodes[2].storedHashes() == [marker])
        }
    }

    @Test("the monitor's publish command reaches the other node, and both relay statuses report the mesh and counts")
    func statusAfterExchange() async throws {
        try await NodeCluster.with(2, configure: { _, configuration in configuration.relay = true }) { nodes in
            let (a, b) = (nodes[0], nodes[1])
            try await Self.link(a, to: b)
            let eventsA = a.events.subscribe()
            let eventsB = b.events.subscribe()
            a.send(.publishTest)
            let notice = await NodeCluster.event(on: eventsA) { event in
                guard case .notice(let notice) = event else { return false }
                return notice.message.hasPrefix("published test message ")
            }
            guard case .notice(let published) = notice else {
                Issue.record("A reported no published test message")
                return
            }
            let hash = String(published.message.split(separator: " ")[3])
            #expect(published.message.hasSuffix(" on \(Self.topic)"))
            let relayed = await NodeCluster.event(on: eventsB) { event in
                guard case .relayed(let message) = event else { return false }
                return message.hash == hash
            }
            #expect(relayed != nil, "B did not relay \(hash)")
            #expect(try await NodeCluster.eventually { try await b.storedHashes().map(\.hex).contains(hash) })

            let statusB = try await Self.relayStatus(on: eventsB) { $0.counts.received >= 1 }
            let topicB = try #require(statusB.topics.first)
            #expect(statusB.topics.map(\.pubsubTopic) == [Self.topic])
            #expect(topicB.meshPeers == [a.peerID])
            #expect(topicB.subscribedPeers == 1 && statusB.peers == 1)
            #expect(topicB.counts.received == 1 && topicB.counts.forwarded == 0)
            #expect(topicB.counts.duplicates == 0 && topicB.counts.invalid == 0 && topicB.counts.malformed == 0)
            #expect(topicB.counts.bytesIn > 0 && topicB.counts.graftSent + topicB.counts.graftReceived >= 1)
            #expect(statusB.total.received == 1)

            let statusA = try await Self.relayStatus(on: eventsA) { $0.counts.published >= 1 }
            let topicA = try #require(statusA.topics.first)
            #expect(topicA.meshPeers == [b.peerID])
            #expect(topicA.counts.published == 1 && topicA.counts.received == 0)
            #expect(topicA.counts.bytesOut > 0)
        }
    }

    /// The first relay status on `events` whose first topic passes `matches`.
    static func relayStatus(
        on events: AsyncStream<NodeEvent>,
        where matches: @escaping @Sendable (RelayStatus.Topic) -> Bool
    ) async throws -> RelayStatus {
        let event = await NodeCluster.event(on: events) { event in
            guard case .relayStatus(let status) = event, let topic = status.topics.first else { return false }
            return matches(topic)
        }
        guard case .relayStatus(let status) = event else { throw RelayStatusMissing() }
        return status
    }

    struct RelayStatusMissing: Error {}
}
