import Gossipsub
import Testing

@Suite("Validation, the seen cache and peer scores")
struct ValidationAndScoringTests {
    let topic = Vectors.topic

    func message(_ data: [UInt8]) -> RPC { RPC(messages: [.init(data: data, topic: self.topic)]) }

    /// Subscribed, with peers 1 and 2 in the mesh.
    func router() -> SoloRouter {
        var solo = SoloRouter()
        solo.handle(.subscribe(topic: self.topic))
        solo.addSubscriber(1, topic: self.topic)
        solo.addSubscriber(2, topic: self.topic)
        return solo
    }

    @Test("an invalid message is not forwarded and costs its sender P4 = -100")
    func invalidNotForwarded() {
        var network = TestNetwork(nodes: 3)
        network.connect(0, 1)
        network.connect(1, 2)
        network.validator = { node, message in node == 1 && message.data.first == 0xFF ? .reject : .accept }
        network.subscribeAll(self.topic)
        network.heartbeats(1)
        network.send(.publish(topic: self.topic, data: [0xFF, 1]), to: 0)
        #expect(network.delivered[1].isEmpty && network.delivered[2].isEmpty)
        #expect(network.rpcs(from: 1, to: 2).messages.isEmpty)
        network.heartbeats(12)
        let score = network.routers[1].score(of: 0)
        #expect(score < -99.8 && score > -100, "P4 -100 plus at most 0.1 of P1")
        network.heartbeats(1)
        #expect(!network.routers[1].meshPeers(of: self.topic).contains(0), "a negative peer is pruned")
        network.send(.publish(topic: self.topic, data: [1, 1]), to: 0)
        #expect(network.delivered[2].map(\.data) == [[1, 1]], "valid traffic still flows")
    }

    @Test("eleven invalid messages graylist the sender: it is disconnected, ignored, and sent away on return")
    func graylisted() {
        var solo = self.router()
        solo.heartbeats(1)
        for index in 0..<11 {
            let actions = solo.receive(self.message([0xFF, UInt8(index)]), from: 1)
            for request in actions.validations {
                solo.handle(.validated(messageID: request.messageID, result: .reject))
            }
        }
        var disconnectedAt: Int?
        for second in 1...12 where disconnectedAt == nil {
            if solo.handle(.heartbeat).disconnected == [1] { disconnectedAt = second }
            solo.now += .seconds(1)
        }
        #expect(disconnectedAt == 12)
        #expect(solo.router.score(of: 1) < -10_000)
        let ignored = solo.receive(self.message([1]), from: 1)
        #expect(ignored.traces == [.graylistedFrameIgnored(peer: 1)])
        solo.handle(.peerDisconnected(1))
        solo.now += .seconds(60)
        let back = solo.handle(.peerConnected(1, protocol: .wakuRelay, isOutbound: false))
        #expect(back.disconnected == [1], "the score is retained for 10 minutes")
    }

    @Test("below the gossip threshold a peer gets no IHAVE and its IHAVE and IWANT are ignored")
    func gossipThreshold() {
        var solo = SoloRouter()
        solo.handle(.subscribe(topic: self.topic))
        for peer in 1...3 { solo.addSubscriber(peer, topic: self.topic) }
        for peer in [2, 3] {
            solo.receive(RPC(control: .init(prune: [.init(topic: self.topic, backoff: 600)])), from: peer)
        }
        for index in 0..<2 {
            solo.receive(self.message([0xEE, UInt8(index)]), from: 3)
            solo.handle(.validated(messageID: SHA256.digest([0xEE, UInt8(index)]), result: .reject))
        }
        solo.heartbeats(13)
        #expect(solo.router.score(of: 3) < -100)
        solo.receive(self.message([4]), from: 1)
        solo.handle(.validated(messageID: SHA256.digest([4]), result: .accept))
        let heartbeat = solo.handle(.heartbeat)
        #expect(heartbeat.rpcs(to: 2).ihaves.count == 1)
        #expect(heartbeat.rpcs(to: 3).ihaves.isEmpty)
        let ihave = RPC(control: .init(ihave: [.init(topic: self.topic, messageIDs: [SHA256.digest([9])])]))
        #expect(solo.receive(ihave, from: 3).frames(to: 3).isEmpty)
        let iwant = RPC(control: .init(iwant: [.init(messageIDs: [SHA256.digest([4])])]))
        #expect(solo.receive(iwant, from: 3).frames(to: 3).isEmpty)
        #expect(solo.receive(iwant, from: 2).rpcs(to: 2).messages.map(\.data) == [[4]])
    }

    @Test("below the publish threshold a peer gets none of our publishes and cannot join our mesh")
    func publishThreshold() {
        var solo = self.router()
        solo.addSubscriber(3, topic: self.topic)
        solo.receive(RPC(control: .init(prune: [.init(topic: self.topic, backoff: 1)])), from: 3)
        for index in 0..<4 {
            solo.receive(self.message([0xEE, UInt8(index)]), from: 3)
            solo.handle(.validated(messageID: SHA256.digest([0xEE, UInt8(index)]), result: .reject))
        }
        solo.heartbeats(13)
        #expect(solo.router.score(of: 3) < -1000)
        let published = solo.handle(.publish(topic: self.topic, data: [6]))
        #expect(published.frames(to: 3).isEmpty && published.frames(to: 1).count == 1)
        solo.receive(RPC(control: .init(graft: [.init(topic: self.topic)])), from: 3)
        #expect(!solo.router.meshPeers(of: self.topic).contains(3))
    }

    @Test("an ignored message costs nothing and is not forwarded")
    func ignoredMessage() {
        var solo = self.router()
        solo.heartbeats(1)
        solo.receive(self.message([5]), from: 1)
        let actions = solo.handle(.validated(messageID: SHA256.digest([5]), result: .ignore))
        #expect(actions.frames(to: 2).isEmpty)
        solo.heartbeats(12)
        #expect(solo.router.score(of: 1) >= 0)
    }

    @Test("a message with a signature or a bad seqno is rejected without asking the application")
    func laxNoSignInput() {
        var solo = self.router()
        let signed = solo.receive(RPC(messages: [.init(data: [1], topic: self.topic, signature: [9])]), from: 1)
        #expect(signed.validations.isEmpty)
        #expect(signed.traces.contains(.dropped(messageID: SHA256.digest([1]), from: 1, reason: .signaturePresent)))
        let seqno = solo.receive(RPC(messages: [.init(data: [2], seqno: [1, 2], topic: self.topic)]), from: 1)
        #expect(seqno.traces.contains(.dropped(messageID: SHA256.digest([2]), from: 1, reason: .invalidSeqno)))
        solo.heartbeats(13)
        #expect(solo.router.score(of: 1) < -390, "two invalid deliveries: -100 × 2²")
    }

    @Test("from and an 8-byte seqno are accepted and stripped when forwarding (StrictNoSign output)")
    func laxNoSignStripped() {
        var solo = self.router()
        let from = [0x00, 0x08] + [UInt8](repeating: 3, count: 8)
        let incoming = RPC.Message(from: from, data: [7], seqno: [0, 0, 0, 0, 0, 0, 0, 1], topic: self.topic, key: [4])
        let actions = solo.receive(RPC(messages: [incoming]), from: 1)
        #expect(actions.validations.map(\.data) == [[7]])
        let forwarded = solo.handle(.validated(messageID: SHA256.digest([7]), result: .accept))
        #expect(forwarded.frames(to: 2) == [self.message([7]).encoded()])
        #expect(
            forwarded.contains(.deliver(.init(topic: self.topic, data: [7], messageID: SHA256.digest([7]), source: 1)))
        )
    }

    @Test("the seen cache drops duplicates for two minutes, even while the first copy is validated")
    func duplicates() {
        var solo = self.router()
        solo.addSubscriber(3, topic: self.topic)
        let first = solo.receive(self.message([8]), from: 1)
        #expect(first.validations.count == 1)
        let again = solo.receive(self.message([8]), from: 2)
        #expect(again.validations.isEmpty)
        #expect(again.traces == [.duplicate(messageID: SHA256.digest([8]), from: 2)])
        let accepted = solo.handle(.validated(messageID: SHA256.digest([8]), result: .accept))
        #expect(accepted.frames(to: 1).isEmpty && accepted.frames(to: 2).isEmpty, "nor back to who sent it")
        #expect(accepted.frames(to: 3).count == 1)
        // A rejected message stays seen too: it was marked before validation.
        solo.receive(self.message([0xAB]), from: 1)
        solo.handle(.validated(messageID: SHA256.digest([0xAB]), result: .reject))
        #expect(solo.receive(self.message([0xAB]), from: 2).validations.isEmpty)
        solo.now += .seconds(119)
        #expect(solo.receive(self.message([8]), from: 3).validations.isEmpty)
        solo.now += .seconds(1)
        #expect(solo.receive(self.message([8]), from: 3).validations.count == 1, "seen for exactly 2 minutes")
    }

    @Test("messages on topics we are not subscribed to are dropped without penalty")
    func unsubscribedTopic() {
        var solo = self.router()
        let actions = solo.receive(RPC(messages: [.init(data: [1], topic: "/waku/2/rs/0/9")]), from: 1)
        #expect(actions.validations.isEmpty)
        #expect(actions.traces == [.dropped(messageID: SHA256.digest([1]), from: 1, reason: .notSubscribed)])
        solo.heartbeats(13)
        #expect(solo.router.score(of: 1) >= 0)
    }

    @Test("first deliveries and time in the mesh raise a score; the counters decay")
    func positiveScore() {
        var solo = self.router()
        solo.heartbeats(1)
        for index in 0..<4 {
            solo.receive(self.message([UInt8(index)]), from: 1)
            solo.handle(.validated(messageID: SHA256.digest([UInt8(index)]), result: .accept))
        }
        solo.heartbeats(12)
        #expect(abs(solo.router.score(of: 1) - (4 + 0.1)) < 1e-9, "P2 = 4, P1 capped at 0.1")
        #expect(abs(solo.router.score(of: 2) - 0.1) < 1e-9)
        solo.heartbeats(12)
        #expect(abs(solo.router.score(of: 1) - (2 + 0.1)) < 1e-9, "P2 halves every 12 s")
    }

    @Test("a verdict that never comes is dropped after the seen-cache TTL")
    func validationTimeout() {
        var solo = self.router()
        solo.receive(self.message([3]), from: 1)
        #expect(solo.router.occupancy.pendingValidations == 1)
        solo.heartbeats(121)
        #expect(solo.router.occupancy.pendingValidations == 0)
        #expect(solo.log.traces.contains(.dropped(messageID: SHA256.digest([3]), from: 1, reason: .validationTimedOut)))
        let late = solo.handle(.validated(messageID: SHA256.digest([3]), result: .accept))
        #expect(late.isEmpty)
    }

    @Test("our own publish is not sent when too large, duplicated or without peers")
    func publishFailures() {
        var solo = SoloRouter()
        let none = solo.handle(.publish(topic: self.topic, data: [1]))
        #expect(none.traces == [.publishFailed(topic: self.topic, reason: .noPeers)])
        solo.addSubscriber(1, topic: self.topic)
        #expect(solo.handle(.publish(topic: self.topic, data: [1])).frames(to: 1).count == 1, "not marked seen before")
        let again = solo.handle(.publish(topic: self.topic, data: [1]))
        #expect(again.traces == [.publishFailed(topic: self.topic, reason: .duplicate)])
        let huge = solo.handle(.publish(topic: self.topic, data: [UInt8](repeating: 0, count: 153_600)))
        #expect(huge.traces == [.publishFailed(topic: self.topic, reason: .tooLarge)])
        #expect(solo.handle(.publish(topic: "", data: [2])).traces == [.publishFailed(topic: "", reason: .emptyTopic)])
    }
}
