import Gossipsub
import Testing

@Suite("GRAFT, PRUNE, backoff and the router's own bytes")
struct ControlTests {
    let topic = Vectors.topic

    /// A router subscribed to the topic with peer 1 subscribed and in its mesh.
    func meshWithPeerOne() -> SoloRouter {
        var solo = SoloRouter()
        solo.handle(.subscribe(topic: self.topic))
        solo.addSubscriber(1, topic: self.topic)
        return solo
    }

    @Test("SUBSCRIBE, GRAFT, publish, PRUNE(60), IHAVE and IWANT leave the router as nwaku's bytes")
    func routerWritesNwakuBytes() {
        var solo = SoloRouter()
        solo.connect(1)
        let subscribed = solo.handle(.subscribe(topic: self.topic))
        #expect(subscribed.frames(to: 1).map { [UInt8($0.count)] + $0 } == [Vectors.subscribe])
        let grafted = solo.receive(RPC(subscriptions: [.init(subscribe: true, topic: self.topic)]), from: 1)
        #expect(grafted.frames(to: 1).map { [UInt8($0.count)] + $0 } == [Vectors.graft])
        let published = solo.handle(.publish(topic: self.topic, data: Vectors.wakuMessage))
        #expect(published.frames(to: 1).map { [UInt8($0.count)] + $0 } == [Vectors.publish])

        // Peer 2 asks for the id we advertise to it; PRUNE and GRAFT in backoff bring PRUNE(60).
        var gossip = SoloRouter()
        gossip.handle(.subscribe(topic: self.topic))
        gossip.addSubscriber(1, topic: self.topic)
        gossip.addSubscriber(2, topic: self.topic)
        gossip.receive(RPC(control: .init(prune: [.init(topic: self.topic, backoff: 60)])), from: 2)
        gossip.receive(RPC(messages: [.init(data: Vectors.wakuMessage, topic: self.topic)]), from: 1)
        gossip.handle(.validated(messageID: Vectors.messageID, result: .accept))
        let heartbeat = gossip.handle(.heartbeat)
        #expect(heartbeat.frames(to: 2).map { [UInt8($0.count)] + $0 } == [Vectors.ihave])
        let refused = gossip.receive(RPC(control: .init(graft: [.init(topic: self.topic)])), from: 2)
        #expect(refused.frames(to: 2).map { [UInt8($0.count)] + $0 } == [Vectors.prune60])

        var asking = SoloRouter()
        asking.handle(.subscribe(topic: self.topic))
        asking.addSubscriber(3, topic: self.topic)
        let iwant = asking.receive(Self.decodedFrame(Vectors.ihave), from: 3)
        #expect(iwant.frames(to: 3).map { [UInt8($0.count)] + $0 } == [Vectors.iwant])
    }

    static func decodedFrame(_ frame: [UInt8]) -> RPC {
        (try? RPC(decoding: Array(frame.dropFirst()))) ?? RPC()
    }

    @Test("a large message brings IDONTWANT to mesh peers on 1.2 or the Waku id, not to 1.1 peers")
    func iDontWantForLargeMessages() {
        var solo = SoloRouter()
        solo.handle(.subscribe(topic: self.topic))
        solo.addSubscriber(1, topic: self.topic)
        solo.connect(2, protocol: .meshsub11)
        solo.receive(RPC(subscriptions: [.init(subscribe: true, topic: self.topic)]), from: 2)
        solo.addSubscriber(3, topic: self.topic)
        #expect(solo.router.meshPeers(of: self.topic) == [1, 2, 3])
        let large = [UInt8](repeating: 7, count: 513)
        let actions = solo.receive(RPC(messages: [.init(data: large, topic: self.topic)]), from: 1)
        let id = SHA256.digest(large)
        #expect(actions.frames(to: 3) == [RPC(control: .init(idontwant: [.init(messageIDs: [id])])).encoded()])
        #expect(actions.frames(to: 2).isEmpty && actions.frames(to: 1).isEmpty)
        let small = solo.receive(
            RPC(messages: [.init(data: [UInt8](repeating: 7, count: 512), topic: self.topic)]),
            from: 1
        )
        #expect(small.frames(to: 3).isEmpty)
        // An IDONTWANT from a peer keeps the message from being forwarded to it.
        let other = [UInt8](repeating: 8, count: 600)
        solo.receive(RPC(control: .init(idontwant: [.init(messageIDs: [SHA256.digest(other)])])), from: 3)
        solo.receive(RPC(messages: [.init(data: other, topic: self.topic)]), from: 1)
        let forwarded = solo.handle(.validated(messageID: SHA256.digest(other), result: .accept))
        #expect(forwarded.rpcs(to: 2).messages.map(\.data) == [other])
        #expect(forwarded.rpcs(to: 3).isEmpty)
    }

    @Test("after a PRUNE(60) the router does not GRAFT that peer again before 62 s")
    func pruneBackoffHonoured() {
        var solo = self.meshWithPeerOne()
        #expect(solo.router.meshPeers(of: self.topic) == [1])
        let pruned = solo.now
        solo.receive(RPC(control: .init(prune: [.init(topic: self.topic, backoff: 60)])), from: 1)
        #expect(solo.router.meshPeers(of: self.topic).isEmpty)
        var graftedAt: Duration?
        for _ in 0..<70 {
            let actions = solo.handle(.heartbeat)
            if graftedAt == nil, !actions.rpcs(to: 1).grafts.isEmpty { graftedAt = solo.now - pruned }
            solo.now += .seconds(1)
        }
        #expect(graftedAt == .seconds(62))
        #expect(solo.router.meshPeers(of: self.topic) == [1])
    }

    @Test("a PRUNE with backoff 0 sets no backoff, as in nim-libp2p")
    func pruneWithoutBackoff() {
        var solo = self.meshWithPeerOne()
        solo.receive(RPC(control: .init(prune: [.init(topic: self.topic, backoff: 0)])), from: 1)
        #expect(solo.handle(.heartbeat).rpcs(to: 1).grafts == [self.topic])
    }

    @Test("a GRAFT during our backoff is answered with PRUNE(60) and costs a behaviour penalty")
    func graftDuringBackoffPenalised() {
        var solo = self.meshWithPeerOne()
        solo.heartbeats(1)
        solo.receive(RPC(control: .init(prune: [.init(topic: self.topic, backoff: 60)])), from: 1)
        solo.now += .seconds(10)
        let actions = solo.receive(RPC(control: .init(graft: [.init(topic: self.topic)])), from: 1)
        #expect(actions.rpcs(to: 1).prunes == [RPC.Prune(topic: self.topic, backoff: 60)])
        #expect(actions.traces.contains(.penalized(peer: 1, reason: .graftDuringBackoff)))
        #expect(solo.router.meshPeers(of: self.topic).isEmpty)
        solo.heartbeats(13)
        #expect(abs(solo.router.score(of: 1) - -0.1) < 1e-9)
        // Our refusal restarted the backoff: no GRAFT from us for another 60 s.
        for _ in 0..<40 { #expect(solo.handle(.heartbeat).rpcs(to: 1).grafts.isEmpty); solo.now += .seconds(1) }
    }

    @Test("a GRAFT within twice the slack of our backoff's end is accepted without penalty")
    func graftNearBackoffEnd() {
        var solo = self.meshWithPeerOne()
        solo.receive(RPC(control: .init(prune: [.init(topic: self.topic, backoff: 60)])), from: 1)
        solo.now += .seconds(58)
        let actions = solo.receive(RPC(control: .init(graft: [.init(topic: self.topic)])), from: 1)
        #expect(actions.frames(to: 1).isEmpty)
        #expect(!actions.traces.contains(.penalized(peer: 1, reason: .graftDuringBackoff)))
        #expect(solo.router.meshPeers(of: self.topic) == [1])
    }

    @Test("a GRAFT to a full mesh is refused unless it fills the outbound quota")
    func graftToFullMesh() {
        var solo = SoloRouter()
        solo.handle(.subscribe(topic: self.topic))
        for peer in 1...8 {
            solo.addSubscriber(peer, topic: self.topic)
            solo.receive(RPC(control: .init(graft: [.init(topic: self.topic)])), from: peer)
        }
        #expect(solo.router.meshPeers(of: self.topic).count == 8)
        solo.addSubscriber(9, topic: self.topic)
        let refused = solo.receive(RPC(control: .init(graft: [.init(topic: self.topic)])), from: 9)
        #expect(refused.rpcs(to: 9).prunes == [RPC.Prune(topic: self.topic, backoff: 60)])
        solo.addSubscriber(10, topic: self.topic, isOutbound: true)
        let accepted = solo.receive(RPC(control: .init(graft: [.init(topic: self.topic)])), from: 10)
        #expect(accepted.frames(to: 10).isEmpty)
        #expect(solo.router.meshPeers(of: self.topic).count == 9)
        solo.heartbeats(1)
        // Above Dhigh the heartbeat prunes to D, but (nim's arithmetic) an outbound peer among the
        // three lowest is spared when the mesh has fewer than Dout outbound peers.
        #expect((6...7).contains(solo.router.meshPeers(of: self.topic).count))
        #expect(solo.router.meshPeers(of: self.topic).contains(10), "the only outbound peer is kept")
    }

    @Test("unsubscribing sends PRUNE(5) before UNSUBSCRIBE, and backs off 5 s")
    func unsubscribe() {
        var solo = self.meshWithPeerOne()
        let actions = solo.handle(.unsubscribe(topic: self.topic))
        #expect(
            actions.rpcs(to: 1) == [
                RPC(control: .init(prune: [.init(topic: self.topic, backoff: 5)])),
                RPC(subscriptions: [.init(subscribe: false, topic: self.topic)]),
            ]
        )
        solo.handle(.subscribe(topic: self.topic))
        #expect(solo.router.meshPeers(of: self.topic).isEmpty, "no GRAFT during our 5 s backoff")
        solo.now += .seconds(5)
        #expect(solo.handle(.heartbeat).rpcs(to: 1).grafts == [self.topic])
    }

    @Test("a peer that unsubscribes or disconnects leaves the mesh")
    func peerLeaves() {
        var solo = self.meshWithPeerOne()
        solo.addSubscriber(2, topic: self.topic)
        let left = solo.receive(RPC(subscriptions: [.init(subscribe: false, topic: self.topic)]), from: 1)
        #expect(left.traces.contains(.meshLeft(topic: self.topic, peer: 1)))
        #expect(solo.router.peers(subscribedTo: self.topic) == [2])
        solo.handle(.peerDisconnected(2))
        #expect(solo.router.meshPeers(of: self.topic).isEmpty)
        #expect(solo.router.peers(subscribedTo: self.topic).isEmpty)
    }

    @Test("the negotiated id decides the protocol; the Waku id matches as a prefix")
    func protocolIDs() {
        #expect(GossipsubProtocol(negotiated: "/vac/waku/relay/2.0.0") == .wakuRelay)
        #expect(GossipsubProtocol(negotiated: "/vac/waku/relay/2.0.0-beta") == .wakuRelay)
        #expect(GossipsubProtocol(negotiated: "/meshsub/1.1.0") == .meshsub11)
        #expect(GossipsubProtocol(negotiated: "/meshsub/1.3.0") == nil)
        #expect(
            GossipsubProtocol.dialOrder.map(\.rawValue) == [
                "/vac/waku/relay/2.0.0", "/meshsub/1.2.0", "/meshsub/1.1.0",
            ]
        )
        #expect(GossipsubProtocol.allCases.filter(\.supportsIDontWant) == [.wakuRelay, .meshsub12])
    }
}
