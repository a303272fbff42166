import Gossipsub
import Testing

@Suite("Traffic counters per topic and over all topics")
struct TrafficCountersTests {
    let topic = Vectors.topic

    /// A router subscribed to the topic with peers 1, 2 and 3 in its mesh.
    func meshOfThree() -> SoloRouter {
        var solo = SoloRouter()
        solo.handle(.subscribe(topic: self.topic))
        for peer in 1...3 { solo.addSubscriber(peer, topic: self.topic) }
        return solo
    }

    /// Peer `from` sends `data` on `topic`; the application answers `verdict`.
    func deliver(
        _ data: [UInt8],
        on topic: String,
        from peer: Int,
        verdict: ValidationResult?,
        to solo: inout SoloRouter
    ) {
        solo.receive(RPC(messages: [.init(data: data, topic: topic)]), from: peer)
        if let verdict { solo.handle(.validated(messageID: SHA256.digest(data), result: verdict)) }
    }

    @Test("accepted, forwarded, duplicate, invalid, ignored and malformed messages are counted on their topic")
    func messageOutcomes() throws {
        var solo = self.meshOfThree()
        #expect(solo.router.meshPeers(of: self.topic) == [1, 2, 3])
        self.deliver([1, 1], on: self.topic, from: 1, verdict: .accept, to: &solo)
        self.deliver([1, 1], on: self.topic, from: 2, verdict: nil, to: &solo)
        self.deliver([2], on: self.topic, from: 1, verdict: .reject, to: &solo)
        self.deliver([3], on: self.topic, from: 1, verdict: .ignore, to: &solo)
        solo.receive(RPC(messages: [.init(data: [4], topic: self.topic, signature: [9])]), from: 1)
        solo.handle(.publish(topic: self.topic, data: [5, 5, 5]))

        let counters = try #require(solo.router.countersByTopic[self.topic])
        #expect(counters.received == 1)
        #expect(counters.forwarded == 2)
        #expect(counters.duplicates == 1)
        #expect(counters.invalid == 1)
        #expect(counters.ignored == 1)
        #expect(counters.malformed == 1)
        #expect(counters.published == 3)
        let topicSize = self.topic.utf8.count
        // Copies in: two of [1, 1], then [2], [3] and [4]; out: [1, 1] to two peers, [5, 5, 5] to three.
        #expect(counters.bytesIn == 2 * (2 + topicSize) + 3 * (1 + topicSize))
        #expect(counters.bytesOut == 2 * (2 + topicSize) + 3 * (3 + topicSize))
        #expect(solo.router.counters == counters)
    }

    @Test("a topic we are not subscribed to gets no counters of its own, but counts in the total")
    func foreignTopic() {
        var solo = self.meshOfThree()
        self.deliver([7], on: "/made/up", from: 1, verdict: nil, to: &solo)
        #expect(solo.router.countersByTopic["/made/up"] == nil)
        #expect(solo.router.countersByTopic[self.topic]?.bytesIn == 0)
        #expect(solo.router.counters.bytesIn == 1 + "/made/up".utf8.count)
        #expect(solo.router.counters.received == 0)
    }

    @Test("GRAFT, PRUNE, IHAVE and IWANT entries are counted as sent and received")
    func controlEntries() throws {
        var solo = SoloRouter()
        solo.handle(.subscribe(topic: self.topic))
        // Peer 1 subscribes and is grafted at once.
        solo.addSubscriber(1, topic: self.topic)
        // Peer 2 prunes us (backoff 60 s), so it stays outside the mesh and gets gossip; its GRAFT
        // during the backoff is answered with a PRUNE.
        solo.addSubscriber(2, topic: self.topic)
        solo.receive(RPC(control: .init(prune: [.init(topic: self.topic, backoff: 60)])), from: 2)
        solo.receive(RPC(control: .init(graft: [.init(topic: self.topic)])), from: 2)
        // A message from peer 1 is cached; the heartbeat advertises it to peer 2, which asks for it.
        self.deliver([1, 2, 3], on: self.topic, from: 1, verdict: .accept, to: &solo)
        let heartbeat = solo.handle(.heartbeat)
        #expect(heartbeat.rpcs(to: 2).ihaves.count == 1)
        let id = SHA256.digest([1, 2, 3])
        solo.receive(RPC(control: .init(iwant: [.init(messageIDs: [id])])), from: 2)
        // Peer 1 advertises an unseen id on our topic and one on a topic of its own: we ask for one.
        let ihave = RPC.Control(
            ihave: [.init(topic: self.topic, messageIDs: [[9]]), .init(topic: "/made/up", messageIDs: [[8]])]
        )
        let asked = solo.receive(RPC(control: ihave), from: 1)
        #expect(asked.rpcs(to: 1).iwantIDs == [[9]])

        let counters = try #require(solo.router.countersByTopic[self.topic])
        #expect(counters.graft.sent == 2)
        #expect(counters.graft.received == 1)
        #expect(counters.prune.sent == 1)
        #expect(counters.prune.received == 1)
        #expect(counters.iHave.sent == 1)
        #expect(counters.iHave.received == 1)
        #expect(counters.iWant == TrafficCounters.Control())
        let total = solo.router.counters
        #expect(total.iHave.received == 2)
        #expect(total.iWant.sent == 1)
        #expect(total.iWant.received == 1)
        // Peer 1's message had nobody to be forwarded to; the IWANT answer is the one copy sent.
        #expect(counters.forwarded == 0)
        #expect(counters.bytesOut == 3 + self.topic.utf8.count)
        #expect(total.bytesOut == counters.bytesOut)
    }

    @Test("leaving a topic drops its counters; the total keeps what was counted")
    func unsubscribeDropsTopicCounters() {
        var solo = self.meshOfThree()
        self.deliver([1], on: self.topic, from: 1, verdict: .accept, to: &solo)
        solo.handle(.unsubscribe(topic: self.topic))
        #expect(solo.router.countersByTopic[self.topic] == nil)
        #expect(solo.router.counters.received == 1)
        #expect(solo.router.counters.prune.sent == 3)
    }
}
