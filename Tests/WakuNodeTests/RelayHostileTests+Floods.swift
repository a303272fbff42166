import Foundation
import Gossipsub
import Libp2p
import NodeEvents
import Synchronization
import Testing
import WakuCore
import WakuNode
import WakuTestSupport

/// Hostile relay peers at node level (issue 13): a rogue built from our own host and RPC encoder
/// floods a node in a line publisher – node – receiver of real nodes. Each test checks from outside
/// that what the node sent back is bounded, that the rogue is penalised, that nothing invalid is
/// stored, and that the node still stores and forwards an honest message afterwards.
extension RelayHostileTests {
    static let topic = RelayTests.topic

    /// Three relay nodes: `publisher` and `receiver` are each linked (meshed) to `node` only.
    static func withLine(
        configure: @escaping @Sendable (inout NodeConfiguration) -> Void = { _ in },
        _ body: @Sendable (_ node: WakuNode, _ publisher: WakuNode, _ receiver: WakuNode) async throws -> Void
    ) async throws {
        try await NodeCluster.with(
            3,
            configure: { number, configuration in
                configuration.relay = true
                if number == 0 { configure(&configuration) }
            }
        ) { nodes in
            try await RelayTests.link(nodes[1], to: nodes[0])
            try await RelayTests.link(nodes[2], to: nodes[0])
            try await body(nodes[0], nodes[1], nodes[2])
        }
    }

    /// Publishes an honest message at `publisher` and expects `node` to store it and forward it to
    /// `receiver`, each within 20 s.
    @discardableResult
    static func expectRelays(
        _ node: WakuNode,
        from publisher: WakuNode,
        to receiver: WakuNode,
        _ message: WakuMessage = RelayTests.message("honest, after the attack")
    ) async throws -> MessageHash {
        let hash = try await publisher.relayPublish(message, on: Self.topic)
        let stored = try await NodeCluster.eventually(timeout: .seconds(20)) {
            try await node.storedHashes().contains(hash)
        }
        #expect(stored, "the node did not store an honest message after the attack")
        let forwarded = try await NodeCluster.eventually(timeout: .seconds(20)) {
            try await receiver.storedHashes().contains(hash)
        }
        #expect(forwarded, "the node did not forward an honest message after the attack")
        return hash
    }

    @Test("an IHAVE flood gets at most 10 ids asked per heartbeat and a penalty that prunes the peer")
    func iHaveFlood() async throws {
        try await Self.withLine { node, publisher, receiver in
            try await RelayRogue.with(node) { rogue in
                var random = SeededRandom(seed: 13)
                var offered: Set<[UInt8]> = []
                let start = ContinuousClock.now
                // 8 bursts over 4 s, so that several heartbeats each see the allowance of 64 IHAVEs
                // passed (0.1 each): 64 RPCs of 65 IHAVEs with 60 ids, 249 600 ids in all, one IHAVE
                // in 13 on a topic the node does not relay.
                for burst in 0..<8 {
                    for _ in 0..<8 {
                        let ihaves = (0..<65).map { index in
                            RPC.IHave(
                                topic: index % 13 == 12 ? "/made/up/\(index)" : Self.topic,
                                messageIDs: (0..<60).map { _ in random.messageID() }
                            )
                        }
                        for ihave in ihaves where ihave.topic == Self.topic { offered.formUnion(ihave.messageIDs) }
                        try await rogue.send(RPC(control: .init(ihave: ihaves)))
                    }
                    // The attacker's pace, not a wait for the node.
                    if burst < 7 { try await Task.sleep(for: .milliseconds(500)) }
                }
                try await rogue.sync()
                let seconds = Int(start.duration(to: .now).components.seconds) + 1
                let penalised = try await NodeCluster.eventually { rogue.score < 0 }
                #expect(penalised, "score \(rogue.score)")
                let pruned = try await NodeCluster.eventually {
                    rogue.received.prunes.contains(Self.topic) && !node.relayMesh(of: Self.topic).contains(rogue.peerID)
                }
                #expect(pruned, "a negative score leaves the mesh at the next heartbeat")
                #expect(rogue.score > -100, "IHAVE floods cost 0.1 per heartbeat: a slow penalty, as nim's")
                // No state grows with the flood: only the honest message below is ever seen.
                let occupancy = try #require(node.relayOccupancy)
                #expect(occupancy.seenMessages == 0 && occupancy.advertisedIDs == 0)

                try await Self.expectRelays(node, from: publisher, to: receiver)
                let asked = rogue.received.iWantIDs
                #expect(!asked.isEmpty, "the node does ask for gossip it has not seen")
                #expect(asked.count <= 10 * (seconds + 1), "\(asked.count) ids asked in \(seconds) s")
                #expect(Set(asked).count == asked.count && Set(asked).isSubset(of: offered))
            }
        }
    }

    @Test(
        "IWANT for everything is answered only for ids advertised to the peer, once per IHAVE; a flood costs it gossip"
    )
    func iWantForEverything() async throws {
        try await Self.withLine { node, publisher, receiver in
            try await RelayRogue.with(node) { rogue in
                // Outside the node's mesh the rogue is sent IHAVEs (gossip) instead of messages.
                try await rogue.send(RPC(control: .init(prune: [.init(topic: Self.topic, backoff: 60)])))
                let left = try await NodeCluster.eventually { !node.relayMesh(of: Self.topic).contains(rogue.peerID) }
                try #require(left)
                let messages = (0..<5).map { RelayTests.message("advertised \($0)") }
                var hashes: [MessageHash] = []
                for message in messages {
                    hashes.append(try await publisher.relayPublish(message, on: Self.topic))
                }
                let ids = messages.map { RelayMessageID.of($0.serialized()) }
                let advertised = try await NodeCluster.eventually {
                    Set(ids).isSubset(of: rogue.received.iHaves.joined())
                }
                try #require(advertised, "the node never sent the rogue an IHAVE of the 5 ids")

                var random = SeededRandom(seed: 21)
                let unknown = (0..<15).map { _ in random.messageID() }
                try await rogue.send(RPC(control: .init(iwant: [.init(messageIDs: ids + ids + unknown)])))
                let answered = try await NodeCluster.eventually {
                    Set(rogue.received.messages.map { RelayMessageID.of($0.data) }) == Set(ids)
                }
                #expect(answered)

                // Every id the node holds and 1 000 made-up ones, 100 times: each RPC passes the
                // cutoff of 20 unadvertised ids and costs 0.1 while the score allows gossip at all.
                for _ in 0..<100 {
                    let madeUp = (0..<1000).map { _ in random.messageID() }
                    try await rogue.send(RPC(control: .init(iwant: [.init(messageIDs: ids + madeUp)])))
                }
                let ignored = try await NodeCluster.eventually { rogue.score < -100 }
                #expect(ignored, "below the gossip threshold its IWANTs are ignored; score \(rogue.score)")
                // Ids advertised and not yet asked for: at most the 5 in each of the 6 heartbeats kept.
                #expect((node.relayOccupancy?.advertisedIDs ?? .max) <= 5 * 6)

                try await Self.expectRelays(node, from: publisher, to: receiver)
                let received = rogue.received
                for id in ids {
                    let replies = received.messages.count { RelayMessageID.of($0.data) == id }
                    let advertisements = received.iHaves.count { $0.contains(id) }
                    #expect(replies >= 1 && replies <= advertisements, "\(replies) replies, \(advertisements) IHAVEs")
                }
                let answers = Set(received.messages.map { RelayMessageID.of($0.data) })
                #expect(answers == Set(ids), "only advertised messages are ever sent to a peer outside the mesh")
                #expect(try await Set(node.storedHashes()).isSuperset(of: hashes))
            }
        }
    }

    @Test("a GRAFT storm is ignored in the mesh, gets one PRUNE per RPC in backoff, and graylists the peer for good")
    func graftStorm() async throws {
        try await Self.withLine { node, publisher, receiver in
            try await RelayRogue.with(node) { rogue in
                let grafts = (0..<200).map { RPC.Graft(topic: $0 % 2 == 0 ? Self.topic : "/made/up/\($0)") }
                // Already in the mesh: nothing to answer, nothing recorded.
                for _ in 0..<5 { try await rogue.send(RPC(control: .init(graft: grafts))) }
                try await rogue.sync()
                #expect(rogue.received.prunes.isEmpty)
                #expect(node.relayMesh(of: Self.topic).contains(rogue.peerID))

                // Its own PRUNE puts it in backoff for 60 s + 2 s; each GRAFT on our topic then costs
                // 0.1 (100 per RPC), and nwaku's answer is a PRUNE.
                try await rogue.send(RPC(control: .init(prune: [.init(topic: Self.topic, backoff: 60)])))
                var sent = 0
                for _ in 0..<50 {
                    do { try await rogue.send(RPC(control: .init(graft: grafts))) } catch { break }
                    sent += 1
                }
                let gone = try await rogue.disconnected(within: .seconds(40))
                #expect(gone, "score \(rogue.score)")
                #expect(rogue.score < -10_000)
                let prunes = rogue.received.prunes
                #expect(!prunes.isEmpty && prunes.count <= sent, "\(prunes.count) PRUNEs for \(sent) RPCs")
                #expect(prunes.allSatisfy { $0 == Self.topic }, "GRAFTs on made-up topics are not answered")
                #expect((node.relayOccupancy?.backoffs ?? .max) <= 1, "made-up topics leave no backoff behind")

                // Its score is kept: coming back gets it disconnected again at once.
                let address = try Multiaddr(parsing: try #require(node.listenAddresses.first))
                _ = try await rogue.host.dial(address)
                let again = try await rogue.disconnected(within: .seconds(20))
                #expect(again, "a graylisted peer that reconnects is sent away")

                try await Self.expectRelays(node, from: publisher, to: receiver)
                #expect(!node.relayMesh(of: Self.topic).contains(rogue.peerID))
            }
        }
    }

    @Test("oversized RPCs reset their streams, half-sent frames cannot starve honest peers, undecodable RPCs graylist")
    func oversizedAndUndecodable() async throws {
        try await Self.withLine { node, publisher, receiver in
            try await RelayRogue.with(node) { rogue in
                let notices = Notices(node.events.subscribe())
                let peer = rogue.peerID.description
                for _ in 0..<10 {
                    let stream = try await rogue.host.openStream(to: rogue.nodeID, protocolID: Self.relayID)
                    try await stream.writeMessage([UInt8](repeating: 0, count: 153_601))
                    await #expect(throws: (any Error).self) {
                        while try await stream.read(timeout: .seconds(10)) != nil {}
                    }
                }
                #expect(await rogue.isConnected, "an oversized frame resets its stream, not the connection")

                // 120 streams each announce a frame of 150 000 bytes and send one byte of it: 18 MB
                // announced, more than the 16 MiB the node reads at once over all peers.
                let frame = 150_000
                var header: [UInt8] = []
                UVarint.append(UInt64(frame), to: &header)
                let earlier = await notices.count(containing: "reading ended", about: peer)
                var held: [Libp2pStream] = []
                for _ in 0..<120 {
                    let stream = try await rogue.host.openStream(to: rogue.nodeID, protocolID: Self.relayID)
                    try await stream.write(header + [0x0A])
                    held.append(stream)
                }
                // Each announcement is either reserved or refused (its stream reset, with a notice).
                let settled = try await NodeCluster.eventually {
                    let refused = await notices.count(containing: "reading ended", about: peer) - earlier
                    return node.relayFrameBytesReserved / frame + refused >= 120
                }
                try #require(settled, "reserved \(node.relayFrameBytesReserved)")
                #expect(node.relayFrameBytesReserved <= 2 * 153_600, "one peer holds at most two frames' worth")
                // A large honest message (a 140 000-byte payload) still gets through meanwhile.
                var large = RelayTests.message("large honest message")
                large.payload += [UInt8](repeating: 7, count: 140_000)
                try await Self.expectRelays(node, from: publisher, to: receiver, large)
                for stream in held { stream.reset() }
                let released = try await NodeCluster.eventually { node.relayFrameBytesReserved == 0 }
                #expect(released, "reservations of reset streams are given back")

                // Undecodable RPCs cost 0.1 each: 400 of them put the score at −10 × 40² < −10 000.
                for _ in 0..<400 {
                    do { try await rogue.send(frame: [0xFF]) } catch { break }
                }
                let gone = try await rogue.disconnected(within: .seconds(40))
                #expect(gone, "score \(rogue.score)")
                #expect(rogue.score < -10_000)
                try await Self.expectRelays(node, from: publisher, to: receiver)
            }
        }
    }

    @Test("invalid messages are refused by reason, never stored or forwarded, and a flood of them graylists the sender")
    func invalidMessages() async throws {
        try await Self.withLine { node, publisher, receiver in
            try await RelayRogue.with(node) { rogue in
                let rejections = Rejections(node.events.subscribe(), from: rogue.peerID.description)
                var longMeta = RelayTests.message("meta over 64 bytes")
                longMeta.meta = [UInt8](repeating: 1, count: 65)
                let future = RelayTests.message("from the future", at: NodeCluster.now + 60_000_000_000)
                let cases: [(RPC.Message, Rejection)] = [
                    (RPC.Message(data: [0xFF, 0x01, 0x02], topic: Self.topic), .malformed),
                    (RPC.Message(data: longMeta.serialized(), topic: Self.topic), .malformed),
                    (
                        RPC.Message(data: RelayTests.message("other shard").serialized(), topic: "/waku/2/rs/0/7"),
                        .outsideScope
                    ),
                    (RPC.Message(data: future.serialized(), topic: Self.topic), .futureTimestamp),
                    (
                        RPC.Message(
                            data: RelayTests.message("signed").serialized(),
                            topic: Self.topic,
                            signature: [1, 2, 3],
                            key: [4, 5, 6]
                        ), .malformed
                    ),
                    (
                        RPC.Message(
                            data: RelayTests.message("seqno").serialized(),
                            seqno: [1, 2, 3],
                            topic: Self.topic
                        ), .malformed
                    ),
                ]
                for (message, _) in cases {
                    try await rogue.send(RPC(messages: [message]))
                }
                try await rogue.sync()
                let expected = cases.reduce(into: [Rejection: Int]()) { counts, entry in
                    counts[entry.1, default: 0] += 1
                }
                let refused = try await NodeCluster.eventually { await rejections.counts == expected }
                let counts = await rejections.counts
                #expect(refused, "rejections \(counts), expected \(expected)")
                #expect(try await node.storedHashes().isEmpty)

                // Twenty undecodable messages in one RPC: P4 = −100 × (4 + 20)², graylisted.
                let flood = (0..<20).map { RPC.Message(data: [0xFF, UInt8($0)], topic: Self.topic) }
                try await rogue.send(RPC(messages: flood))
                let gone = try await rogue.disconnected(within: .seconds(40))
                #expect(gone, "score \(rogue.score)")
                #expect(rogue.score < -10_000)

                let hash = try await Self.expectRelays(node, from: publisher, to: receiver)
                #expect(try await node.storedHashes() == [hash], "nothing the rogue sent is stored")
                #expect(try await receiver.storedHashes() == [hash], "nothing the rogue sent is forwarded")
            }
        }
    }
}

/// The relay refusals a node reports for one peer, by reason, gathered in the background.
actor Rejections {
    private(set) var counts: [Rejection: Int] = [:]

    init(_ events: AsyncStream<NodeEvent>, from peer: String) {
        Task { await self.follow(events, peer) }
    }

    private func follow(_ events: AsyncStream<NodeEvent>, _ peer: String) async {
        for await event in events {
            guard case .rejected(let rejection) = event, rejection.source == .relay, rejection.peerID == peer else {
                continue
            }
            self.counts[rejection.reason, default: 0] += rejection.count
        }
    }
}
