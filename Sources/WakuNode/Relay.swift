internal import Gossipsub
internal import Libp2p
internal import NodeEvents
internal import Synchronization
internal import WakuCore

/// Waku Relay (PROTOCOLS.md §10): the pure ``GossipsubRouter`` driven from libp2p.
///
/// The router sits behind a lock of its own (not the engine's actor): every stream task feeds it
/// events and performs the actions it returns in its own task. We keep one outbound stream per
/// peer, opened when the connection comes up and written by one task from a bounded queue;
/// every inbound stream is read in its handler's task, one length-prefixed RPC at a time.
/// Validation is the acceptance rule's wire half (decodes, size, not more than 20 s ahead, one of
/// our topics); delivered messages take the engine's single ingest path as `.relay(peer)`, which
/// applies nwaku's archive rule, so ephemeral and stale ones are forwarded but never stored.
final class Relay: Sendable {
    typealias Router = GossipsubRouter<PeerKey>

    /// Every id we accept (§10.1): the Waku id, and the meshsub ids py-libp2p needs (§10.10).
    static let protocolIDs = GossipsubProtocol.allCases.map(\.rawValue)
    /// The one id identify announces (§10.1).
    static let wakuProtocolID = GossipsubProtocol.wakuRelay.rawValue
    /// How long opening our stream may take for each proposed id (nwaku: 5 s for its one attempt).
    static let openTimeout = Duration.seconds(5)
    /// Frames queued for one peer's stream; a peer that cannot keep up with more is disconnected,
    /// as nwaku does beyond its non-priority queue of 1024.
    static let queueLimit = 1_024
    /// How long an inbound stream may stay silent: a quiet topic sends nothing for long stretches.
    static let idleTimeout = Duration.seconds(3_600)
    /// How long an inbound stream waits for our own stream to the peer before frames are read
    /// (the router ignores peers it has not been told about).
    static let linkTimeout = Duration.seconds(10)
    /// The pause before our stream to a still-connected peer is opened again after it failed.
    static let redialPause = Duration.seconds(1)
    /// Failed openings in a row (resets, timeouts) before we stop trying for the connection.
    static let openAttempts = 5
    /// How long a stream we closed waits for the peer to close its side.
    static let closeTimeout = Duration.seconds(5)
    /// Frames of the frame limit one peer may have announced and not yet had handled: an honest
    /// peer writes one frame at a time on its one stream (two while a redialled stream overlaps
    /// the old one). Without a share, one peer announcing frames on a hundred streams and never
    /// finishing them held the whole ``frameBudget`` for an hour and every other peer's frames
    /// were refused.
    static let peerFrameShare = 2

    /// The pubsub topics we subscribe to.
    let topics: [String]
    /// The largest RPC frame read or written: nwaku's `--max-msg-size` bounds the whole frame
    /// (§10.3), so ours is the node's `maxMessageSize` too.
    let frameLimit: Int
    let host: Libp2pHost
    let engine: SyncEngine
    let events: EventHub
    let clock: any Clock<Duration>
    let now: @Sendable () -> Int64
    private let elapsed: @Sendable () -> Duration
    private let origin = ContinuousClock.now
    let router: Mutex<Router>
    let links = Mutex<Links>(Links())
    let linksChanged = ChangeSignal()
    /// Bytes of inbound frames being read and handled at once, over every peer.
    let frameBudget: ByteBudget
    /// Bytes of ``frameBudget`` each peer holds now; at most ``peerFrameShare`` frames' worth.
    let peerFrameBytes = Mutex<[PeerID: Int]>([:])
    private let acceptance: MessageAcceptance
    private let validationScope: MessageAcceptance.Scope

    init(
        host: Libp2pHost,
        engine: SyncEngine,
        events: EventHub,
        configuration: NodeConfiguration,
        clock: any Clock<Duration>,
        now: @escaping @Sendable () -> Int64,
        seed: UInt64
    ) {
        self.host = host
        self.engine = engine
        self.events = events
        self.clock = clock
        self.now = now
        self.elapsed = Self.stopwatch(clock)
        self.topics = configuration.relayPubsubTopics
        self.frameLimit = configuration.maxMessageSize
        self.frameBudget = ByteBudget("relay frame", limit: configuration.limits.relayFrameBytes)
        self.acceptance = MessageAcceptance(maxMessageSize: configuration.maxMessageSize)
        self.validationScope = MessageAcceptance.Scope(pubsubTopics: Set(self.topics))
        var gossipsub = GossipsubConfiguration()
        gossipsub.limits.maxFrameSize = configuration.maxMessageSize
        var router = Router(configuration: gossipsub, random: SeededGenerator(seed: seed)) {
            RelayMessageID.of($0)
        }
        if let filter = configuration.relayDeliveryFilter {
            router.deliveryFilter = { filter($0, PeerID($1)) }
        }
        // No peers yet: subscribing only records the topics; every new peer's first RPC lists them.
        let start = ContinuousClock.now
        for topic in self.topics {
            _ = router.handle(.subscribe(topic: topic), at: start)
        }
        self.router = Mutex(router)
    }

    /// The router's time: only differences matter, so the injected clock's elapsed time is laid
    /// onto a fixed continuous instant.
    var instant: ContinuousClock.Instant { self.origin + self.elapsed() }

    private static func stopwatch<C: Clock<Duration>>(_ clock: C) -> @Sendable () -> Duration {
        let start = clock.now
        return { start.duration(to: clock.now) }
    }

    // MARK: - Running

    /// Sends the router a heartbeat every second on the node's clock until cancelled, and reports
    /// the mesh and counters after each.
    func run() async {
        await self.beat(on: self.clock)
    }

    private func beat<C: Clock<Duration>>(on clock: C) async {
        let interval = self.router.withLock { $0.configuration.heartbeatInterval }
        var deadline = clock.now.advanced(by: interval)
        while !Task.isCancelled {
            do { try await clock.sleep(until: deadline, tolerance: nil) } catch { return }
            deadline = deadline.advanced(by: interval)
            await self.handle(.heartbeat)
            self.events.emit(.relayStatus(self.status()))
        }
    }

    /// Feeds one event to the router and performs what it asks.
    func handle(_ event: Router.Event) async {
        await self.perform(self.step(event))
    }

    /// Feeds one event to the router and queues the frames it sends while still holding the
    /// router's lock, so each peer gets frames in the router's order even when several tasks feed
    /// it at once (our SUBSCRIBEs first on a new stream); returns the other actions. A peer whose
    /// queue is full is disconnected, as nwaku does.
    private func step(_ event: Router.Event) -> [Router.Action] {
        let instant = self.instant
        return self.router.withLock { router in
            router.handle(event, at: instant).compactMap { action in
                guard case .send(let frame, let peer) = action else { return action }
                guard self.enqueue(frame, to: PeerID(peer)) else {
                    self.events.emit(
                        .notice(
                            Notice(
                                .warning,
                                "relay: the peer's send queue is full; disconnecting",
                                peerID: peer.description
                            )
                        )
                    )
                    return .disconnect(peer)
                }
                return nil
            }
        }
    }

    /// Performs actions in order; a validation's verdict goes back to the router at once and its
    /// actions are performed before the remaining ones.
    private func perform(_ actions: [Router.Action]) async {
        var pending = actions
        var index = 0
        // The router traces an accept (with its forward count) just before the delivery.
        var forwarded: [MessageKey: Int] = [:]
        // Decoded and hashed once, at validation; the delivery follows in this same loop.
        var validated: [MessageKey: IncomingMessage] = [:]
        while index < pending.count {
            let action = pending[index]
            index += 1
            switch action {
            case .send(let frame, let peer):
                // Not reached: ``step(_:)`` queues frames under the router's lock.
                _ = self.enqueue(frame, to: PeerID(peer))
            case .validate(let message):
                let (result, decoded) = self.validate(message)
                if let decoded { validated[MessageKey(message.messageID)] = decoded }
                let more = self.step(.validated(messageID: message.messageID, result: result))
                pending.insert(contentsOf: more, at: index)
            case .deliver(let message):
                // Only an accept is delivered, and an accept always carries the decoded message.
                let key = MessageKey(message.messageID)
                guard let decoded = validated.removeValue(forKey: key) else { continue }
                await self.deliver(message, decoded: decoded, forwardedTo: forwarded.removeValue(forKey: key) ?? 0)
            case .disconnect(let peer):
                await self.host.disconnect(PeerID(peer))
            case .trace(let event):
                if case .accepted(let id, _, let count) = event { forwarded[MessageKey(id)] = count }
                self.record(event)
            }
        }
    }

    // MARK: - Messages

    /// The verdict on a message before it is forwarded: it must decode, and pass the acceptance
    /// rule apart from the archive's own window and ephemerality (nwaku forwards both). Returns
    /// the message decoded and hashed, for its delivery.
    func validate(_ inbound: Router.InboundMessage) -> (ValidationResult, IncomingMessage?) {
        let peer = inbound.source
        guard let decoded = try? WakuMessage(serialized: inbound.data, maxSize: self.frameLimit) else {
            self.reject(.malformed, from: peer)
            return (.reject, nil)
        }
        let incoming = IncomingMessage(pubsubTopic: inbound.topic, message: decoded)
        var message = decoded
        message.ephemeral = false
        let refusal = self.acceptance.refusal(
            of: message,
            pubsubTopic: inbound.topic,
            hash: incoming.hash,
            span: Int64.min...Int64.max,
            scope: self.validationScope,
            now: self.now()
        )
        guard let refusal else { return (.accept, incoming) }
        self.reject(Rejection(refusal), from: peer)
        // A future timestamp may be the publisher's clock, not the forwarder's fault: no penalty.
        return (refusal == .future ? .ignore : .reject, nil)
    }

    /// Reports an accepted message and hands it to the archive unless it is ephemeral.
    private func deliver(_ inbound: Router.InboundMessage, decoded incoming: IncomingMessage, forwardedTo: Int) async {
        let message = incoming.message
        self.events.emit(
            .relayed(
                RelayedMessage(
                    peerID: inbound.source.description,
                    pubsubTopic: inbound.topic,
                    bytes: inbound.data.count,
                    forwardedTo: forwardedTo,
                    ephemeral: message.ephemeral,
                    messageID: inbound.messageID,
                    hash: incoming.hash.hex
                )
            )
        )
        guard !message.ephemeral else { return }
        let peer = PeerID(inbound.source)
        let report = await self.engine.ingest([incoming], via: .relay(peer))
        self.events.reportRejections(report, source: .relay, peer: peer)
    }

    private func reject(_ reason: Rejection, from peer: PeerKey) {
        self.events.emit(
            .rejected(RejectedMessages(source: .relay, peerID: peer.description, reason: reason, count: 1))
        )
    }

    private func record(_ event: Router.TraceEvent) {
        switch event {
        case .dropped(_, let peer, .notSubscribed):
            self.reject(.outsideScope, from: peer)
        case .dropped(_, let peer, .signaturePresent), .dropped(_, let peer, .invalidSeqno):
            // Refused by the router before validation (PROTOCOLS.md §10.3), so counted here.
            self.reject(.malformed, from: peer)
        case .graylisted(let peer, let score):
            let text = "relay: disconnecting a graylisted peer (score \(score))"
            self.events.emit(.notice(Notice(.warning, text, peerID: peer.description)))
        case .frameTooLarge(let peer, let size):
            self.events.emit(
                .notice(Notice(.warning, "relay: dropped an RPC of \(size) bytes", peerID: peer.description))
            )
        case .decodeFailed(let peer, let error):
            self.events.emit(
                .notice(Notice(.warning, "relay: undecodable RPC: \(error)", peerID: peer.description))
            )
        default:
            break
        }
    }

    // MARK: - Publishing

    /// Publishes `message` on `topic`; nil when it went to at least one peer, else why not.
    func publish(_ message: WakuMessage, on topic: String) async -> PublishFailure? {
        let actions = self.step(.publish(topic: topic, data: message.serialized()))
        await self.perform(actions)
        for case .trace(.publishFailed(_, let reason)) in actions { return reason }
        return nil
    }

    /// Connected relay peers subscribed to `topic`: whom a publish (flooded, as nwaku does) reaches.
    func peers(subscribedTo topic: String) -> [PeerID] {
        self.router.withLock { $0.peers(subscribedTo: topic) }.map(PeerID.init)
    }

    /// Our mesh for `topic`.
    func meshPeers(of topic: String) -> [PeerID] {
        self.router.withLock { $0.meshPeers(of: topic) }.map(PeerID.init)
    }

    /// The peer's score as of the router's last score update (every 12 s).
    func score(of peer: PeerID) -> Double {
        self.router.withLock { $0.score(of: PeerKey(peer)) }
    }

    /// How full the router's bounded state is.
    var occupancy: Router.Occupancy {
        self.router.withLock { $0.occupancy }
    }
}
