import Gossipsub
import Testing

@Suite("Mesh and propagation over in-memory routers")
struct MeshTests {
    let topic = Vectors.topic

    /// Every node's mesh is within bounds and every mesh link is known to both ends.
    func checkMeshes(_ network: TestNetwork, low: Int = 4, high: Int = 8) {
        for node in network.routers.indices {
            let mesh = network.routers[node].meshPeers(of: self.topic)
            #expect((low...high).contains(mesh.count), "node \(node) has \(mesh.count) mesh peers")
            for peer in mesh {
                #expect(network.routers[peer].meshPeers(of: self.topic).contains(node), "\(node)→\(peer) one-sided")
            }
        }
    }

    @Test("two routers graft each other as soon as they subscribe")
    func twoRouters() {
        var network = TestNetwork(nodes: 2)
        network.connect(0, 1)
        network.subscribeAll(self.topic)
        #expect(network.routers[0].meshPeers(of: self.topic) == [1])
        #expect(network.routers[1].meshPeers(of: self.topic) == [0])
        network.send(.publish(topic: self.topic, data: Vectors.wakuMessage), to: 0)
        #expect(network.delivered[1].map(\.data) == [Vectors.wakuMessage])
        #expect(network.delivered[1].first?.messageID == Vectors.messageID)
        #expect(network.delivered[0].isEmpty)
    }

    @Test("ten fully connected routers form meshes within Dlow...Dhigh and keep them for ten minutes")
    func tenRoutersMeshBounds() {
        var network = TestNetwork(nodes: 10, seed: 3)
        network.connectAll()
        network.subscribeAll(self.topic)
        network.heartbeats(3)
        self.checkMeshes(network)
        for _ in 0..<600 {
            network.heartbeat()
            for router in network.routers {
                #expect((4...8).contains(router.meshPeers(of: self.topic).count))
            }
        }
        self.checkMeshes(network)
        let penalties = network.traces.joined().filter {
            if case .penalized = $0 { return true } else { return false }
        }
        #expect(penalties.isEmpty, "our routers never GRAFT each other during a backoff")
    }

    @Test("re-subscribing after a PRUNE(5) waits out the backoff on both sides, without penalties")
    func resubscribeHonoursBackoff() {
        var network = TestNetwork(nodes: 3)
        network.connectAll()
        network.subscribeAll(self.topic)
        network.heartbeats(2)
        #expect(network.routers[0].meshPeers(of: self.topic).contains(1))
        network.send(.unsubscribe(topic: self.topic), to: 1)
        network.send(.subscribe(topic: self.topic), to: 1)
        let mark = network.frames.count
        for _ in 0..<5 {
            network.heartbeat()
            #expect(network.rpcs(from: 0, to: 1, since: mark).grafts.isEmpty)
            #expect(network.rpcs(from: 1, to: 0, since: mark).grafts.isEmpty)
        }
        network.heartbeats(4)
        #expect(network.routers[1].meshPeers(of: self.topic) == [0, 2], "the mesh heals after the backoff")
        #expect(network.routers[0].meshPeers(of: self.topic).contains(1))
        #expect(!network.traces.joined().contains { if case .penalized = $0 { true } else { false } })
    }

    @Test("a publish reaches every node of a sparse network exactly once")
    func publishReachesEveryoneOnce() {
        var network = TestNetwork(nodes: 10, seed: 5)
        // A ring with chords: every node has six neighbours, most nodes are several hops apart.
        for node in 0..<10 {
            for step in 1...3 { network.connect(node, (node + step) % 10) }
        }
        network.subscribeAll(self.topic)
        network.heartbeats(5)
        for round in 0..<20 {
            let publisher = round % 10
            network.send(.publish(topic: self.topic, data: [UInt8(round), 1, 2, 3]), to: publisher)
        }
        for node in 0..<10 {
            let received = network.delivered[node].map(\.data)
            #expect(received.count == 18, "node \(node) got \(received.count)")
            #expect(Set(received.map { $0[0] }).count == 18)
        }
        let duplicates = network.traces.joined().filter {
            if case .duplicate = $0 { return true } else { return false }
        }
        #expect(!duplicates.isEmpty, "redundant mesh paths produce duplicates, which the seen cache drops")
    }

    @Test("a node outside every mesh gets messages through IHAVE and IWANT")
    func gossipReachesNonMeshNode() {
        var outsider = GossipsubConfiguration()
        (outsider.d, outsider.dLow, outsider.dHigh, outsider.dScore, outsider.dOut) = (0, 0, 0, 0, 0)
        var network = TestNetwork(configurations: [GossipsubConfiguration(), GossipsubConfiguration(), outsider])
        network.connect(0, 1)
        network.connect(1, 2)
        network.subscribeAll(self.topic)
        network.heartbeats(2)
        #expect(network.routers[1].meshPeers(of: self.topic) == [0])
        #expect(network.routers[2].meshPeers(of: self.topic).isEmpty)
        network.send(.publish(topic: self.topic, data: Vectors.wakuMessage), to: 0)
        #expect(network.delivered[1].count == 1)
        #expect(network.delivered[2].isEmpty)
        let mark = network.frames.count
        network.heartbeat()
        #expect(network.rpcs(from: 1, to: 2, since: mark).ihaves.map(\.messageIDs) == [[Vectors.messageID]])
        #expect(network.rpcs(from: 2, to: 1, since: mark).iwantIDs == [Vectors.messageID])
        #expect(network.rpcs(from: 1, to: 2, since: mark).messages.map(\.data) == [Vectors.wakuMessage])
        #expect(network.delivered[2].map(\.data) == [Vectors.wakuMessage])
        // The same id advertised again in the next heartbeats is not asked for again.
        let later = network.frames.count
        network.heartbeats(3)
        #expect(network.rpcs(from: 2, to: 1, since: later).iwantIDs.isEmpty)
    }

    @Test(
        "a closed stream takes the peer out of the mesh with a backoff but keeps its subscriptions; a redial resubscribes"
    )
    func streamClosedKeepsSubscriptions() {
        var solo = SoloRouter()
        solo.handle(.subscribe(topic: self.topic))
        solo.addSubscriber(1, topic: self.topic)
        solo.heartbeats(1)
        #expect(solo.router.meshPeers(of: self.topic) == [1])

        solo.handle(.streamClosed(1))
        #expect(solo.router.meshPeers(of: self.topic).isEmpty)
        #expect(solo.router.peers(subscribedTo: self.topic) == [1], "its own stream still carries its subscriptions")
        // The prune backoff keeps it out of the mesh meanwhile, without it sending anything again.
        solo.heartbeats(10)
        #expect(solo.router.meshPeers(of: self.topic).isEmpty)

        let redial = solo.handle(.peerConnected(1, protocol: .wakuRelay, isOutbound: false))
        #expect(redial.rpcs(to: 1).map(\.subscriptions) == [[RPC.Subscription(subscribe: true, topic: self.topic)]])
        let published = solo.handle(.publish(topic: self.topic, data: [7]))
        #expect(published.rpcs(to: 1).flatMap(\.messages).map(\.data) == [[7]], "flood publish still reaches it")
        solo.heartbeats(60)
        #expect(solo.router.meshPeers(of: self.topic) == [1], "back in the mesh after the backoff")
    }

    @Test("publishing to a topic we are not subscribed to floods every topic peer")
    func floodPublishUnsubscribed() {
        var network = TestNetwork(nodes: 8)
        network.connectAll()
        for node in 1..<8 { network.send(.subscribe(topic: self.topic), to: node) }
        network.heartbeats(3)
        network.send(.publish(topic: self.topic, data: [9, 9]), to: 0)
        #expect(network.rpcs(from: 0, to: 1).messages.count == 1)
        for node in 1..<8 { #expect(network.delivered[node].map(\.data) == [[9, 9]]) }
    }

    @Test("without flood publishing, an unsubscribed publisher uses a fanout that expires after its TTL")
    func fanout() {
        var configuration = GossipsubConfiguration()
        configuration.floodPublish = false
        var network = TestNetwork(nodes: 10, configuration: configuration)
        network.connectAll()
        for node in 1..<10 { network.send(.subscribe(topic: self.topic), to: node) }
        network.heartbeats(3)
        let mark = network.frames.count
        network.send(.publish(topic: self.topic, data: [1]), to: 0)
        let fanout = network.routers[0].fanoutPeers(of: self.topic)
        #expect(fanout.count == 6)
        let directlyReached = (1..<10).filter { !network.rpcs(from: 0, to: $0, since: mark).messages.isEmpty }
        #expect(directlyReached == fanout)
        for node in 1..<10 { #expect(network.delivered[node].count == 1) }
        network.heartbeats(30)
        network.send(.publish(topic: self.topic, data: [2]), to: 0)
        #expect(network.routers[0].fanoutPeers(of: self.topic) == fanout, "the fanout is kept while in use")
        for node in 1..<10 { #expect(network.delivered[node].count == 2) }
        network.heartbeats(62)
        #expect(network.routers[0].fanoutPeers(of: self.topic).isEmpty, "60 s without a publish drop it")
    }

    @Test("a seeded run is reproducible to the byte")
    func deterministic() {
        func run() -> [[UInt8]] {
            var network = TestNetwork(nodes: 6, seed: 11)
            network.connectAll()
            network.subscribeAll(self.topic)
            network.heartbeats(5)
            network.send(.publish(topic: self.topic, data: [4, 2]), to: 3)
            network.heartbeats(3)
            return network.frames.map { $0.rpc.encoded() + [UInt8($0.from), UInt8($0.to)] }
        }
        #expect(run() == run())
    }
}
