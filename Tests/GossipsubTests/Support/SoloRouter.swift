import Gossipsub

/// One router facing hand-made peers: the test writes their RPCs and reads what the router does.
struct SoloRouter {
    var router: Router
    var now = ContinuousClock.now
    /// Every action so far, in order.
    var log: [Router.Action] = []

    init(
        configuration: GossipsubConfiguration = GossipsubConfiguration(),
        seed: UInt64 = 7,
        messageID: @escaping @Sendable ([UInt8]) -> [UInt8] = TestNetwork.messageID
    ) {
        self.router = Router(configuration: configuration, random: SeededGenerator(seed: seed), messageID: messageID)
    }

    /// A 32-byte id that is cheap to compute (FNV-1a under four seeds), for floods of many messages.
    @Sendable static func fastID(_ data: [UInt8]) -> [UInt8] {
        (0..<4).flatMap { seed -> [UInt8] in
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325 &+ UInt64(seed)
            for byte in data { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            return withUnsafeBytes(of: hash) { Array($0) }
        }
    }

    @discardableResult
    mutating func handle(_ event: Router.Event) -> [Router.Action] {
        let actions = self.router.handle(event, at: self.now)
        self.log += actions
        return actions
    }

    mutating func connect(_ peer: Int, protocol version: GossipsubProtocol = .wakuRelay, isOutbound: Bool = false) {
        self.handle(.peerConnected(peer, protocol: version, isOutbound: isOutbound))
    }

    @discardableResult
    mutating func receive(_ rpc: RPC, from peer: Int) -> [Router.Action] {
        self.handle(.frameReceived(rpc.encoded(), from: peer))
    }

    /// Heartbeats one second apart, `count` of them.
    mutating func heartbeats(_ count: Int) {
        for _ in 0..<count {
            self.handle(.heartbeat)
            self.now += .seconds(1)
        }
    }

    /// A peer connected and subscribed to `topic`.
    mutating func addSubscriber(_ peer: Int, topic: String, isOutbound: Bool = false) {
        self.connect(peer, isOutbound: isOutbound)
        self.receive(RPC(subscriptions: [.init(subscribe: true, topic: topic)]), from: peer)
    }
}

extension [GossipsubRouter<Int>.Action] {
    /// The RPCs sent to `peer`, decoded.
    func rpcs(to peer: Int) -> [RPC] {
        self.compactMap { action in
            guard case .send(let frame, let target) = action, target == peer else { return nil }
            return try? RPC(decoding: frame)
        }
    }

    /// The raw frames sent to `peer`.
    func frames(to peer: Int) -> [[UInt8]] {
        self.compactMap { action in
            guard case .send(let frame, let target) = action, target == peer else { return nil }
            return frame
        }
    }

    var validations: [GossipsubRouter<Int>.InboundMessage] {
        self.compactMap { action in
            guard case .validate(let message) = action else { return nil }
            return message
        }
    }

    var traces: [GossipsubRouter<Int>.TraceEvent] {
        self.compactMap { action in
            guard case .trace(let event) = action else { return nil }
            return event
        }
    }

    var disconnected: [Int] {
        self.compactMap { action in
            guard case .disconnect(let peer) = action else { return nil }
            return peer
        }
    }
}

extension [RPC] {
    var grafts: [String] { self.flatMap { $0.control?.graft.map(\.topic) ?? [] } }
    var prunes: [RPC.Prune] { self.flatMap { $0.control?.prune ?? [] } }
    var iwantIDs: [[UInt8]] { self.flatMap { $0.control?.iwant.flatMap(\.messageIDs) ?? [] } }
    var ihaves: [RPC.IHave] { self.flatMap { $0.control?.ihave ?? [] } }
    var messages: [RPC.Message] { self.flatMap(\.messages) }
}
