/// Gossipsub v1.1 (with v1.2's IDONTWANT) as nwaku runs it, as a pure state machine (STYLE.md §8).
///
/// The driver owns the streams, the clock and the validators. It feeds every ``Event`` to
/// ``handle(_:at:)`` and performs the returned ``Action``s in order. Nothing here reads a clock,
/// sleeps or does I/O; randomness comes from the injected ``SeededGenerator``; iteration over
/// peers is sorted, so a seeded run is reproducible.
///
/// Behaviour follows nim-libp2p v1.14.3 with nwaku's parameters (PROTOCOLS.md §10): mesh upkeep
/// with backoffs, IHAVE/IWANT gossip, IDONTWANT, fanout, flood publishing, a seen cache marked
/// before validation, and scoring with P1, P2, P4 and P7. Output is StrictNoSign (a message carries
/// only `data` and `topic`); input is accepted like nwaku's LaxNoSign, except that a message with
/// a `signature` is rejected, because we do not verify signatures (see ``DropReason``).
///
/// Driving it: send ``Event/peerConnected(_:protocol:isOutbound:)`` once a relay stream is
/// negotiated (the reply carries our SUBSCRIBEs, which must be the first RPC on our stream), every
/// frame read as ``Event/frameReceived(_:from:)`` (without its length prefix), a
/// ``Event/heartbeat`` every second, ``Event/streamClosed(_:)`` when our stream fails and is to be
/// redialled, and ``Event/peerDisconnected(_:)`` when the connection goes,
/// also after acting on ``Action/disconnect(_:)``. Every ``Action/validate(_:)`` needs one
/// ``Event/validated(messageID:result:)``, now or later; ``Action/deliver(_:)`` follows an accept.
/// Our own publishes are not delivered back.
///
/// `Peer` is the driver's peer identity; `Comparable` only serves deterministic ordering.
package struct GossipsubRouter<Peer: Hashable & Comparable & Sendable>: Sendable {
    /// Time as the driver passes it in; only differences between instants matter.
    package typealias Instant = ContinuousClock.Instant

    /// The parameters the router was created with.
    package let configuration: GossipsubConfiguration
    let messageID: @Sendable ([UInt8]) -> [UInt8]
    var random: SeededGenerator
    /// Topics we are subscribed to.
    package internal(set) var subscriptions: Set<String> = []
    var peers: [Peer: PeerState] = [:]
    /// Connected peers per topic they subscribed to (nim's `gossipsub` table).
    var topicPeers: [String: Set<Peer>] = [:]
    /// Our mesh per subscribed topic.
    var mesh: [String: Set<Peer>] = [:]
    /// Peers we publish to on topics we are not subscribed to, when not flood publishing.
    var fanout: [String: Set<Peer>] = [:]
    var fanoutExpiry: [String: Instant] = [:]
    /// Until when we do not GRAFT a peer on a topic (and penalise its GRAFTs).
    var backoff: [String: [Peer: Instant]] = [:]
    var seen: SeenCache
    var messageCache: MessageCache
    var pending: [MessageKey: PendingValidation] = [:]
    /// Bytes of data held in ``pending``.
    var pendingBytes = 0
    var scores: [Peer: PeerScore] = [:]
    var nextScoreUpdate: Instant?
    /// Control entries gathered during one step, sent as one RPC per peer by ``flushControl()``.
    var controlBuffer: [Peer: RPC.Control] = [:]
    var outbox: [Action] = []
    /// Simulated link loss (the demo's `--loss`): answers whether a message arriving from a peer
    /// is taken; false drops that delivery before anything sees it, as a lossy link would. Nil
    /// (every delivery taken) outside demos and tests.
    package var deliveryFilter: (@Sendable (_ messageID: [UInt8], _ from: Peer) -> Bool)?
    /// What the router counted over all topics since it started.
    package internal(set) var counters = TrafficCounters()
    /// What it counted per topic we are subscribed to.
    package internal(set) var countersByTopic: [String: TrafficCounters] = [:]

    /// A message waiting for the application's verdict.
    struct PendingValidation: Sendable {
        /// The message as we would forward it (StrictNoSign).
        var message: RPC.Message
        var source: Peer
        /// Peers that sent the same message while it was being validated: not forwarded to.
        var alsoFrom: Set<Peer> = []
        var deadline: Instant
    }

    /// A router with no peers and no subscriptions.
    ///
    /// - Parameters:
    ///   - configuration: parameters and limits; the defaults are nwaku's.
    ///   - random: the generator behind every random peer choice.
    ///   - messageID: the message id of a message's `data`; for Waku, the raw SHA-256 digest
    ///     (PROTOCOLS.md §10.3).
    package init(
        configuration: GossipsubConfiguration = GossipsubConfiguration(),
        random: SeededGenerator,
        messageID: @escaping @Sendable ([UInt8]) -> [UInt8]
    ) {
        self.configuration = configuration
        self.random = random
        self.messageID = messageID
        self.seen = SeenCache(ttl: configuration.seenTTL, capacity: configuration.limits.seenCacheCapacity)
        self.messageCache = MessageCache(
            historyLength: configuration.historyLength,
            historyGossip: configuration.historyGossip,
            capacity: configuration.limits.messageCacheCapacity,
            maxBytes: configuration.limits.messageCacheMaxBytes
        )
    }

    /// Processes one event and returns what to do, in order.
    ///
    /// `now` must not go backwards between calls; only differences between instants matter.
    @_specialize(exported:true,where Peer == PeerKey)
    package mutating func handle(_ event: Event, at now: Instant) -> [Action] {
        switch event {
        case .peerConnected(let peer, let protocolVersion, let isOutbound):
            self.connect(peer, protocolVersion: protocolVersion, isOutbound: isOutbound, now: now)
        case .peerDisconnected(let peer):
            self.disconnect(peer, now: now)
        case .streamClosed(let peer):
            self.closeStream(peer, now: now)
        case .frameReceived(let frame, let peer):
            self.receive(frame, from: peer, now: now)
        case .heartbeat:
            self.heartbeat(now: now)
        case .subscribe(let topic):
            self.subscribe(topic, now: now)
        case .unsubscribe(let topic):
            self.unsubscribe(topic, now: now)
        case .publish(let topic, let data):
            self.publish(data, on: topic, now: now)
        case .validated(let id, let result):
            self.finishValidation(of: id, result: result, now: now)
        }
        self.flushControl()
        defer { self.outbox.removeAll(keepingCapacity: true) }
        return self.outbox
    }

    // MARK: - Inspection

    /// Our mesh for `topic`, sorted.
    @_specialize(exported:true,where Peer == PeerKey)
    package func meshPeers(of topic: String) -> [Peer] { (self.mesh[topic] ?? []).sorted() }

    /// Our fanout for `topic`, sorted.
    package func fanoutPeers(of topic: String) -> [Peer] { (self.fanout[topic] ?? []).sorted() }

    /// Connected peers subscribed to `topic`, sorted.
    @_specialize(exported:true,where Peer == PeerKey)
    package func peers(subscribedTo topic: String) -> [Peer] { (self.topicPeers[topic] ?? []).sorted() }

    /// Peers the driver told us are connected.
    package var connectedPeerCount: Int { self.peers.count }

    /// The peer's score as of the last score update (0 for a peer never scored).
    @_specialize(exported:true,where Peer == PeerKey)
    package func score(of peer: Peer) -> Double { self.scores[peer]?.value ?? 0 }

    /// How full the bounded state is.
    package var occupancy: Occupancy {
        Occupancy(
            seenMessages: self.seen.count,
            cachedMessages: self.messageCache.count,
            cachedBytes: self.messageCache.byteCount,
            pendingValidations: self.pending.count,
            pendingBytes: self.pendingBytes,
            backoffs: self.backoff.values.reduce(0) { $0 + $1.count },
            scoredPeers: self.scores.count,
            peerTopics: self.peers.values.reduce(0) { $0 + $1.topics.count },
            iDontWants: self.peers.values.reduce(0) { $0 + $1.iDontWants.reduce(0) { $0 + $1.count } },
            advertisedIDs: self.peers.values.reduce(0) { $0 + $1.sentIHaves.reduce(0) { $0 + $1.count } }
        )
    }

    // MARK: - Output

    mutating func trace(_ event: TraceEvent) {
        self.outbox.append(.trace(event))
    }

    /// Sends an RPC as one frame, unless it exceeds the frame size limit (nwaku drops those too).
    mutating func send(_ rpc: RPC, to peer: Peer) {
        self.send(frame: rpc.encoded(), to: peer)
    }

    mutating func send(frame: [UInt8], to peer: Peer) {
        guard frame.count <= self.configuration.limits.maxFrameSize else {
            self.trace(.outgoingFrameTooLarge(peer: peer, size: frame.count))
            return
        }
        self.outbox.append(.send(frame, to: peer))
    }

    mutating func queueControl(to peer: Peer, _ body: (inout RPC.Control) -> Void) {
        body(&self.controlBuffer[peer, default: RPC.Control()])
    }

    /// Sends the gathered control entries, one RPC per peer in peer order; IHAVEs that would make
    /// the frame too large go in frames of their own.
    mutating func flushControl() {
        guard !self.controlBuffer.isEmpty else { return }
        let buffered = self.controlBuffer.sorted { $0.key < $1.key }
        self.controlBuffer.removeAll(keepingCapacity: true)
        for (peer, control) in buffered where self.peers[peer] != nil && !control.isEmpty {
            let frame = RPC(control: control).encoded()
            if frame.count <= self.configuration.limits.maxFrameSize {
                self.send(frame: frame, to: peer)
                continue
            }
            var rest = control
            rest.ihave = []
            if !rest.isEmpty { self.send(RPC(control: rest), to: peer) }
            for ihave in control.ihave {
                self.send(RPC(control: RPC.Control(ihave: [ihave])), to: peer)
            }
        }
    }
}
