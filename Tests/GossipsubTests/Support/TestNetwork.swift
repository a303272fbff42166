import Gossipsub

typealias Router = GossipsubRouter<Int>

/// Routers wired together in memory: every `.send` becomes the receiver's `.frameReceived`,
/// every `.validate` is answered by `validator`, time moves only when a test says so.
struct TestNetwork {
    typealias Validator = (_ node: Int, _ message: Router.InboundMessage) -> ValidationResult?

    var routers: [Router]
    var now: ContinuousClock.Instant
    private(set) var links: Set<Link> = []
    /// What each node delivered to its application, in order.
    var delivered: [[Router.InboundMessage]]
    /// Every frame sent: (from, to, decoded RPC).
    var frames: [(from: Int, to: Int, rpc: RPC)] = []
    var traces: [[Router.TraceEvent]]
    var disconnects: [(by: Int, peer: Int)] = []
    /// Answers validation requests; nil leaves the message pending (for tests that answer later).
    var validator: Validator = { _, _ in .accept }
    /// Validation requests left unanswered by `validator`.
    var pendingValidations: [(node: Int, message: Router.InboundMessage)] = []

    struct Link: Hashable {
        var a: Int
        var b: Int
        init(_ x: Int, _ y: Int) {
            self.a = min(x, y)
            self.b = max(x, y)
        }
    }

    static func messageID(_ data: [UInt8]) -> [UInt8] { SHA256.digest(data) }

    init(nodes: Int, seed: UInt64 = 1, configuration: GossipsubConfiguration = GossipsubConfiguration()) {
        self.init(configurations: Array(repeating: configuration, count: nodes), seed: seed)
    }

    init(configurations: [GossipsubConfiguration], seed: UInt64 = 1) {
        let nodes = configurations.count
        self.routers = configurations.indices.map { index in
            Router(
                configuration: configurations[index],
                random: SeededGenerator(seed: seed &* 1000 &+ UInt64(index)),
                messageID: TestNetwork.messageID
            )
        }
        self.now = ContinuousClock.now
        self.delivered = Array(repeating: [], count: nodes)
        self.traces = Array(repeating: [], count: nodes)
    }

    /// `a` dials `b`.
    mutating func connect(_ a: Int, _ b: Int) {
        self.links.insert(Link(a, b))
        self.run([
            (a, .peerConnected(b, protocol: .wakuRelay, isOutbound: true)),
            (b, .peerConnected(a, protocol: .wakuRelay, isOutbound: false)),
        ])
    }

    /// Connects every pair, lower index dialing.
    mutating func connectAll() {
        for a in self.routers.indices {
            for b in self.routers.indices where b > a {
                self.connect(a, b)
            }
        }
    }

    mutating func subscribeAll(_ topic: String) {
        for node in self.routers.indices {
            self.send(.subscribe(topic: topic), to: node)
        }
    }

    mutating func send(_ event: Router.Event, to node: Int) {
        self.run([(node, event)])
    }

    /// One heartbeat on every node, then one heartbeat interval passes.
    mutating func heartbeat() {
        for node in self.routers.indices {
            self.send(.heartbeat, to: node)
        }
        self.now += .seconds(1)
    }

    mutating func heartbeats(_ count: Int) {
        for _ in 0..<count { self.heartbeat() }
    }

    /// Processes events and everything they cause until nothing is left.
    mutating func run(_ initial: [(Int, Router.Event)]) {
        var queue = initial
        var next = 0
        while next < queue.count {
            let (node, event) = queue[next]
            next += 1
            for action in self.routers[node].handle(event, at: self.now) {
                switch action {
                case .send(let frame, let peer):
                    guard self.links.contains(Link(node, peer)) else { continue }
                    if let rpc = try? RPC(decoding: frame) { self.frames.append((node, peer, rpc)) }
                    queue.append((peer, .frameReceived(frame, from: node)))
                case .validate(let message):
                    if let result = self.validator(node, message) {
                        queue.append((node, .validated(messageID: message.messageID, result: result)))
                    } else {
                        self.pendingValidations.append((node, message))
                    }
                case .deliver(let message):
                    self.delivered[node].append(message)
                case .disconnect(let peer):
                    self.disconnects.append((node, peer))
                    if self.links.remove(Link(node, peer)) != nil {
                        queue.append((node, .peerDisconnected(peer)))
                        queue.append((peer, .peerDisconnected(node)))
                    }
                case .trace(let event):
                    self.traces[node].append(event)
                }
            }
        }
    }

    /// Frames sent from `from` to `to` since `index`, decoded.
    func rpcs(from: Int, to: Int, since index: Int = 0) -> [RPC] {
        self.frames[index...].filter { $0.from == from && $0.to == to }.map(\.rpc)
    }
}
