import Gossipsub
import Testing

@Suite("Hostile input stays bounded and costs the sender")
struct HostileInputTests {
    let topic = Vectors.topic

    func messages(_ range: Range<Int>, topic: String? = nil) -> RPC {
        RPC(messages: range.map { RPC.Message(data: Self.data($0), topic: topic ?? self.topic) })
    }

    static func data(_ index: Int) -> [UInt8] { withUnsafeBytes(of: UInt64(index).bigEndian) { Array($0) } }

    static func id(_ index: Int) -> [UInt8] { SoloRouter.fastID(Self.data(index)) }

    func subscribed(_ configuration: GossipsubConfiguration = GossipsubConfiguration()) -> SoloRouter {
        var solo = SoloRouter(configuration: configuration, messageID: SoloRouter.fastID)
        solo.handle(.subscribe(topic: self.topic))
        solo.addSubscriber(1, topic: self.topic)
        solo.addSubscriber(2, topic: self.topic)
        return solo
    }

    @Test("a flood of distinct messages fills neither the seen cache nor the validation queue past their caps")
    func messageFlood() {
        var configuration = GossipsubConfiguration()
        configuration.limits.seenCacheCapacity = 2000
        configuration.limits.maxPendingValidations = 100
        var solo = self.subscribed(configuration)
        var requests = 0
        for batch in 0..<50 {
            requests += solo.receive(self.messages(batch * 200..<(batch + 1) * 200), from: 1).validations.count
            #expect(solo.router.occupancy.pendingValidations <= 100)
            #expect(solo.router.occupancy.seenMessages <= 2000)
        }
        #expect(requests == 100)
        // Messages on topics we do not follow are marked seen too, within the same cap.
        for batch in 0..<20 {
            solo.receive(self.messages(100_000 + batch * 500..<100_000 + (batch + 1) * 500, topic: "x"), from: 1)
        }
        #expect(solo.router.occupancy.seenMessages <= 2000)
    }

    @Test("unanswered large messages are capped by bytes too")
    func pendingBytesBounded() {
        var configuration = GossipsubConfiguration()
        configuration.limits.maxPendingValidationBytes = 1_000_000
        var solo = self.subscribed(configuration)
        var requests = 0
        for index in 0..<100 {
            let data = [UInt8](repeating: 1, count: 100_000) + Self.data(index)
            requests += solo.receive(RPC(messages: [.init(data: data, topic: self.topic)]), from: 1).validations.count
        }
        #expect(requests == 9)
        #expect(solo.router.occupancy.pendingBytes == 9 * 100_008)
        let first = SoloRouter.fastID([UInt8](repeating: 1, count: 100_000) + Self.data(0))
        solo.handle(.validated(messageID: first, result: .ignore))
        #expect(solo.router.occupancy.pendingBytes == 8 * 100_008)
    }

    @Test("accepted floods keep the message cache within its count and byte caps")
    func messageCacheBounded() {
        var configuration = GossipsubConfiguration()
        configuration.limits.messageCacheCapacity = 300
        configuration.limits.messageCacheMaxBytes = 100_000
        var solo = self.subscribed(configuration)
        for index in 0..<1000 {
            let data = [UInt8](repeating: UInt8(index % 251), count: 500) + Self.data(index)
            for request in solo.receive(RPC(messages: [.init(data: data, topic: self.topic)]), from: 1).validations {
                solo.handle(.validated(messageID: request.messageID, result: .accept))
            }
            let occupancy = solo.router.occupancy
            #expect(occupancy.cachedMessages <= 300 && occupancy.cachedBytes <= 100_000)
        }
        #expect(solo.router.occupancy.cachedMessages == 100_000 / 508)
        solo.heartbeats(6)
        #expect(solo.router.occupancy.cachedMessages == 0, "six heartbeats empty the cache")
    }

    @Test("a GRAFT storm gets one PRUNE per RPC, leaves no state and ends in graylisting")
    func graftStorm() {
        var solo = self.subscribed()
        solo.receive(RPC(control: .init(prune: [.init(topic: self.topic, backoff: 60)])), from: 1)
        let before = solo.router.occupancy.backoffs
        let grafts = (0..<1000).map { RPC.Graft(topic: $0 % 2 == 0 ? self.topic : "/made/up/\($0)") }
        var disconnected = false
        for _ in 0..<400 {
            let actions = solo.receive(RPC(control: .init(graft: grafts)), from: 1)
            #expect(actions.rpcs(to: 1).prunes.count <= 1)
            disconnected = disconnected || !actions.disconnected.isEmpty
            solo.heartbeats(1)
            disconnected = disconnected || !solo.log.disconnected.isEmpty
            if disconnected { break }
        }
        #expect(solo.router.occupancy.backoffs == before)
        #expect(solo.router.meshPeers(of: self.topic) == [2])
        #expect(disconnected, "500 GRAFTs in backoff per RPC: P7 far below the graylist threshold")
    }

    @Test("an IHAVE flood gets at most 10 ids asked per heartbeat and one penalty")
    func iHaveFlood() {
        var solo = self.subscribed()
        var asked = 0
        for round in 0..<100 {
            let ids = (0..<1000).map { Self.id((round * 1000 + $0)) }
            asked +=
                solo.receive(RPC(control: .init(ihave: [.init(topic: self.topic, messageIDs: ids)])), from: 1)
                .rpcs(to: 1).iwantIDs.count
        }
        #expect(asked == 10)
        #expect(solo.log.traces.filter { $0 == .penalized(peer: 1, reason: .iHaveFlood) }.count == 1)
        solo.heartbeats(1)
        let ids = (0..<50).map { Self.id((900_000 + $0)) }
        let next = solo.receive(RPC(control: .init(ihave: [.init(topic: self.topic, messageIDs: ids)])), from: 1)
        #expect(next.rpcs(to: 1).iwantIDs.count == 10, "the budget refills every heartbeat")
    }

    @Test("IWANT for everything gets only ids advertised to that peer, each once, then a penalty")
    func iWantForEverything() {
        var solo = self.subscribed()
        solo.addSubscriber(3, topic: self.topic)
        for request in solo.receive(self.messages(0..<5), from: 1).validations {
            solo.handle(.validated(messageID: request.messageID, result: .accept))
        }
        // Peers 1, 2, 3 are all in the mesh: nobody was sent an IHAVE, so nothing is answerable.
        let ids = (0..<5).map { Self.id(($0)) }
        let unadvertised = solo.receive(RPC(control: .init(iwant: [.init(messageIDs: ids)])), from: 2)
        #expect(unadvertised.rpcs(to: 2).messages.isEmpty)
        let random = (0..<4000).map { Self.id((1_000_000 + $0)) }
        let flood = solo.receive(RPC(control: .init(iwant: [.init(messageIDs: random)])), from: 2)
        #expect(flood.rpcs(to: 2).isEmpty)
        #expect(flood.traces.contains(.penalized(peer: 2, reason: .iWantFlood)))

        // Peer 4 is outside the mesh and gets the IHAVE: it may fetch each advertised id once.
        var gossip = self.advertising(to: 4, repliesPerHeartbeat: 100)
        let first = gossip.receive(RPC(control: .init(iwant: [.init(messageIDs: ids + ids)])), from: 4)
        #expect(first.rpcs(to: 4).messages.count == 5)
        let again = gossip.receive(RPC(control: .init(iwant: [.init(messageIDs: ids)])), from: 4)
        #expect(again.rpcs(to: 4).messages.isEmpty)

        var capped = self.advertising(to: 4, repliesPerHeartbeat: 3)
        let three = capped.receive(RPC(control: .init(iwant: [.init(messageIDs: ids)])), from: 4)
        #expect(three.rpcs(to: 4).messages.count == 3, "at most 3 answers per heartbeat here")
        let none = capped.receive(RPC(control: .init(iwant: [.init(messageIDs: ids)])), from: 4)
        #expect(none.rpcs(to: 4).messages.isEmpty)
        capped.handle(.heartbeat)
        let rest = capped.receive(RPC(control: .init(iwant: [.init(messageIDs: Array(ids[3...]))])), from: 4)
        #expect(rest.rpcs(to: 4).messages.count == 2, "the unanswered ids, in the next heartbeat")
    }

    /// A router that accepted five messages from peer 1 and advertised them to `peer` outside its mesh.
    func advertising(to peer: Int, repliesPerHeartbeat: Int) -> SoloRouter {
        var configuration = GossipsubConfiguration()
        configuration.limits.maxIWantRepliesPerHeartbeat = repliesPerHeartbeat
        var gossip = SoloRouter(configuration: configuration, messageID: SoloRouter.fastID)
        gossip.handle(.subscribe(topic: self.topic))
        gossip.addSubscriber(1, topic: self.topic)
        gossip.addSubscriber(peer, topic: self.topic)
        gossip.receive(RPC(control: .init(prune: [.init(topic: self.topic, backoff: 600)])), from: peer)
        for request in gossip.receive(self.messages(0..<5), from: 1).validations {
            gossip.handle(.validated(messageID: request.messageID, result: .accept))
        }
        #expect(gossip.handle(.heartbeat).rpcs(to: peer).ihaves.first?.messageIDs.count == 5)
        return gossip
    }

    @Test("IDONTWANT, subscription and PRUNE floods are capped")
    func controlFloods() {
        var solo = self.subscribed()
        for round in 0..<20 {
            let ids = (0..<2000).map { Self.id((round * 2000 + $0)) }
            solo.receive(RPC(control: .init(idontwant: [.init(messageIDs: ids)])), from: 1)
            if round % 5 == 4 { solo.heartbeats(1) }
        }
        #expect(solo.router.occupancy.iDontWants <= 1000 * 6)
        let subscriptions = (0..<1000).map { RPC.Subscription(subscribe: true, topic: "/waku/2/rs/0/\($0)") }
        let subscribed = solo.receive(RPC(subscriptions: subscriptions), from: 1)
        #expect(subscribed.traces.contains(.penalized(peer: 1, reason: .tooManySubscriptions)))
        solo.receive(RPC(subscriptions: Array(subscriptions[500...])), from: 1)
        #expect(solo.router.occupancy.peerTopics <= 256 + 1)
        #expect(solo.log.traces.contains(.penalized(peer: 1, reason: .tooManyTopics)))
        let longTopic = RPC.Subscription(subscribe: true, topic: String(repeating: "x", count: 300))
        solo.receive(RPC(subscriptions: [longTopic]), from: 2)
        #expect(solo.router.peers(subscribedTo: longTopic.topic).isEmpty)
        let prunes = (0..<1000).map { RPC.Prune(topic: "/made/up/\($0)", backoff: 86_400) }
        solo.receive(RPC(control: .init(prune: prunes)), from: 2)
        #expect(solo.router.occupancy.backoffs == 0)
    }

    @Test("oversized frames are dropped unread; undecodable ones cost 0.1 each until graylisting")
    func badFrames() {
        var solo = self.subscribed()
        let big = solo.handle(.frameReceived([UInt8](repeating: 0, count: 153_601), from: 1))
        #expect(big.traces == [.frameTooLarge(peer: 1, size: 153_601)])
        let garbage = solo.handle(.frameReceived([0x12, 0x05, 0x01], from: 1))
        #expect(garbage.traces.contains(.penalized(peer: 1, reason: .undecodableRPC)))
        for _ in 0..<320 { solo.handle(.frameReceived([0xFF], from: 1)) }
        solo.heartbeats(13)
        #expect(solo.log.disconnected == [1], "P7 = -10 × 32.1² < -10000")
        #expect(solo.router.score(of: 2) >= 0)
    }

    @Test("frames from peers that never connected are ignored")
    func unknownPeer() {
        var solo = self.subscribed()
        #expect(solo.receive(self.messages(0..<3), from: 42).isEmpty)
        #expect(solo.router.occupancy.seenMessages == 0)
    }

    @Test("an IHAVE we send never exceeds the frame limit, however many ids the cache holds")
    func largeIHaveFits() {
        var configuration = GossipsubConfiguration()
        configuration.limits.maxPendingValidations = 10_000
        var solo = SoloRouter(configuration: configuration, messageID: SoloRouter.fastID)
        solo.handle(.subscribe(topic: self.topic))
        solo.addSubscriber(1, topic: self.topic)
        solo.addSubscriber(2, topic: self.topic)
        solo.receive(RPC(control: .init(prune: [.init(topic: self.topic, backoff: 600)])), from: 2)
        for batch in 0..<6 {
            for request in solo.receive(self.messages(batch * 1000..<(batch + 1) * 1000), from: 1).validations {
                solo.handle(.validated(messageID: request.messageID, result: .accept))
            }
        }
        let frames = solo.handle(.heartbeat).frames(to: 2)
        #expect(frames.count == 1 && frames[0].count <= 153_600)
        let ids = frames.compactMap { try? RPC(decoding: $0) }.ihaves.first?.messageIDs.count ?? 0
        #expect(ids == 4516, "as many 32-byte ids as 153600 bytes hold, fewer than nim's 5000")
    }
}
