/// Everything a ``GossipsubRouter`` is tuned with; the defaults are nwaku's (PROTOCOLS.md §10.4).
package struct GossipsubConfiguration: Sendable {
    /// The mesh size a topic aims for (`D`).
    package var d = 6
    /// Below this many mesh peers a heartbeat grafts more (`Dlow`).
    package var dLow = 4
    /// Above this many mesh peers a heartbeat prunes down to `d` (`Dhigh`).
    package var dHigh = 8
    /// Mesh peers kept by score when pruning above `dHigh` (`Dscore`).
    package var dScore = 6
    /// Outbound mesh peers a topic keeps when it can (`Dout`).
    package var dOut = 3
    /// The least number of peers an IHAVE goes to per topic and heartbeat (`Dlazy`).
    package var dLazy = 6
    /// The share of eligible non-mesh peers that get IHAVE, when more than `dLazy`.
    package var gossipFactor = 0.25
    /// How often the driver sends ``GossipsubRouter/Event/heartbeat``; also caps flood publishing.
    package var heartbeatInterval: Duration = .seconds(1)
    /// Heartbeats a message stays in the message cache (and an IHAVE we sent stays answerable).
    package var historyLength = 6
    /// Heartbeats of the message cache that IHAVE advertises.
    package var historyGossip = 3
    /// How long a fanout topic lives after our last publish to it.
    package var fanoutTTL: Duration = .seconds(60)
    /// How long a message id stays in the seen cache.
    package var seenTTL: Duration = .seconds(120)
    /// The backoff in our PRUNEs and after we prune a peer.
    package var pruneBackoff: Duration = .seconds(60)
    /// The backoff in the PRUNEs we send when we unsubscribe.
    package var unsubscribeBackoff: Duration = .seconds(5)
    /// Added to the backoff of a PRUNE we receive before we GRAFT that peer again; twice this is
    /// forgiven when a peer GRAFTs us near the end of our own backoff (nim-libp2p's rule).
    package var backoffSlack: Duration = .seconds(2)
    /// Send our own publishes to every topic peer with a score at or above the publish threshold,
    /// not only to the mesh (nwaku: true). When false, unsubscribed topics publish through fanout.
    package var floodPublish = true
    /// The bandwidth nim-libp2p assumes when it caps flood publishing, in bits per second: a
    /// message goes to at most `max(heartbeat / transmit time, dLow)` peers.
    package var bandwidthEstimate = 100_000_000
    /// Received messages whose `data` is longer than `max(this, 10 × id length)` make us send an
    /// IDONTWANT to our mesh before validation.
    package var iDontWantThreshold = 512
    /// Peer scoring weights and thresholds.
    package var score = ScoreParameters()
    /// Bounds that keep hostile input from growing state or work.
    package var limits = Limits()

    /// nwaku's configuration.
    package init() {}

    /// Peer scoring as nwaku configures it (§10.4, §10.8): P1, P2, P4 and P7; P3, P3b, P5 and P6
    /// have weight 0 or cannot be computed here (P6 needs addresses the router does not see).
    package struct ScoreParameters: Sendable {
        /// P1 weight per quantum of time in the mesh.
        package var timeInMeshWeight = 0.01
        /// The unit of P1.
        package var timeInMeshQuantum: Duration = .seconds(1)
        /// P1's cap, in quanta.
        package var timeInMeshCap = 10.0
        /// P2 weight per first delivery.
        package var firstMessageDeliveriesWeight = 1.0
        /// P2's decay factor per decay interval.
        package var firstMessageDeliveriesDecay = 0.5
        /// P2's cap.
        package var firstMessageDeliveriesCap = 10.0
        /// P4 weight, applied to the square of the count.
        package var invalidMessageDeliveriesWeight = -100.0
        /// P4's decay factor per decay interval.
        package var invalidMessageDeliveriesDecay = 0.5
        /// P7 weight, applied to the square of the penalty.
        package var behaviourPenaltyWeight = -10.0
        /// P7's decay factor per decay interval.
        package var behaviourPenaltyDecay = 0.986
        /// How often scores are recomputed and decayed; between updates the last score is used.
        package var decayInterval: Duration = .seconds(12)
        /// Counters that decay below this become 0.
        package var decayToZero = 0.01
        /// How long a disconnected peer's counters are kept for when it comes back.
        package var retainScore: Duration = .seconds(600)
        /// Below this, we neither send IHAVE to a peer nor act on its IHAVE or IWANT.
        package var gossipThreshold = -100.0
        /// Below this, our own publishes skip the peer and its GRAFTs are ignored.
        package var publishThreshold = -1000.0
        /// Below this, the peer's RPCs are ignored and it is disconnected.
        package var graylistThreshold = -10000.0
        /// The P7 penalty for each misdeed (GRAFT in backoff, undecodable RPC, …).
        package var penaltyIncrement = 0.1

        /// nwaku's scoring parameters.
        package init() {}
    }

    /// Caps on what peers can make us hold or do. nim-libp2p's own constants keep their values.
    package struct Limits: Sendable {
        /// The largest RPC frame we read or write, in bytes (nwaku's `--max-msg-size`, 150 KiB).
        package var maxFrameSize = 153_600
        /// Decoder caps applied to every frame.
        package var decoding = RPC.Limits()
        /// Subscriptions acted on per RPC; more cost the sender a P7 penalty (nim's `topicsHigh`).
        package var maxSubscriptionsPerRPC = 256
        /// Topics tracked per peer; further SUBSCRIBEs are ignored with a P7 penalty.
        package var maxTopicsPerPeer = 256
        /// Longest topic name tracked from a peer's SUBSCRIBE, in bytes.
        package var maxTopicLength = 256
        /// Message ids we ask one peer for per heartbeat (nim's `IHavePeerBudget`).
        package var iWantBudget = 10
        /// IHAVE entries acted on per peer and heartbeat; the first one beyond costs a P7 penalty.
        package var maxIHavesPerHeartbeat = 64
        /// Message ids per IHAVE we send (nim's `IHaveMaxLength`); fewer if the frame would be too big.
        package var maxIHaveLength = 5000
        /// Messages we send in answer to one peer's IWANTs per heartbeat.
        package var maxIWantRepliesPerHeartbeat = 100
        /// IWANT ids we never advertised to the peer, per RPC, before the rest of its IWANTs are
        /// ignored (nim's 20); reaching the cutoff also costs a P7 penalty (ours, not nim's).
        package var maxUnadvertisedIWants = 20
        /// IDONTWANT ids kept per peer and heartbeat (nim's `IDontWantMaxCount`).
        package var maxIDontWantsPerHeartbeat = 1000
        /// Message ids in the seen cache; the oldest go first when full.
        package var seenCacheCapacity = 131_072
        /// Messages in the message cache; the oldest go first when full.
        package var messageCacheCapacity = 8192
        /// Bytes of message data in the message cache.
        package var messageCacheMaxBytes = 64 << 20
        /// Messages waiting for the application's verdict; more are dropped unseen.
        package var maxPendingValidations = 1024
        /// Bytes of message data waiting for the application's verdict; more are dropped unseen.
        package var maxPendingValidationBytes = 32 << 20
        /// Disconnected peers whose score counters are retained.
        package var maxRetainedScores = 4096

        /// The default limits.
        package init() {}
    }
}
