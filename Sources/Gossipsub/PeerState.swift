/// What the router knows about one connected peer, apart from its score.
struct PeerState: Sendable {
    var protocolVersion: GossipsubProtocol
    var isOutbound: Bool
    /// Topics the peer subscribed to, at most ``GossipsubConfiguration/Limits/maxTopicsPerPeer``.
    var topics: Set<String> = []
    /// Ids we advertised to the peer, one set per heartbeat, newest first; an IWANT for an id
    /// takes it out, so each advertised id is answered once (nim-libp2p's `sentIHaves`).
    var sentIHaves: [Set<MessageKey>]
    /// Ids the peer does not want, one set per heartbeat, newest first.
    var iDontWants: [Set<MessageKey>]
    /// Ids we may still ask this peer for in this heartbeat.
    var iWantBudget: Int
    var iHavesThisHeartbeat = 0
    var iWantRepliesThisHeartbeat = 0

    init(protocolVersion: GossipsubProtocol, isOutbound: Bool, historyLength: Int, iWantBudget: Int) {
        self.protocolVersion = protocolVersion
        self.isOutbound = isOutbound
        self.sentIHaves = Array(repeating: [], count: max(historyLength, 1))
        self.iDontWants = Array(repeating: [], count: max(historyLength, 1))
        self.iWantBudget = iWantBudget
    }

    /// Opens a new heartbeat: the oldest sets go, the budgets refill.
    mutating func startHeartbeat(iWantBudget: Int) {
        self.sentIHaves.removeLast()
        self.sentIHaves.insert([], at: 0)
        self.iDontWants.removeLast()
        self.iDontWants.insert([], at: 0)
        self.iWantBudget = iWantBudget
        self.iHavesThisHeartbeat = 0
        self.iWantRepliesThisHeartbeat = 0
    }

    /// True, once, when we advertised `id` to this peer in the last `historyLength` heartbeats.
    mutating func takeAdvertised(_ id: [UInt8]) -> Bool {
        let key = MessageKey(id)
        for index in self.sentIHaves.indices where self.sentIHaves[index].remove(key) != nil {
            return true
        }
        return false
    }

    func doesNotWant(_ id: [UInt8]) -> Bool {
        let key = MessageKey(id)
        return self.iDontWants.contains { $0.contains(key) }
    }
}

/// A peer's score and the counters it is computed from (gossipsub v1.1 §"The Score Function"),
/// kept for ``GossipsubConfiguration/ScoreParameters/retainScore`` after the peer disconnects.
struct PeerScore: Sendable {
    struct TopicCounters: Sendable {
        /// When the peer entered our mesh for the topic; nil when it is not in it (P1).
        var meshSince: ContinuousClock.Instant?
        /// P2, capped and decayed.
        var firstMessageDeliveries = 0.0
        /// P4's counter, decayed.
        var invalidMessageDeliveries = 0.0
    }

    /// The score as of the last update; used between updates, as nim-libp2p does.
    var value = 0.0
    /// P7's counter.
    var behaviourPenalty = 0.0
    var topics: [String: TopicCounters] = [:]
    /// When a disconnected peer's counters are forgotten; nil while it is connected.
    var expiry: ContinuousClock.Instant?

    /// Recomputes ``value`` from the counters, then decays them.
    mutating func update(at now: ContinuousClock.Instant, parameters: GossipsubConfiguration.ScoreParameters) {
        var total = 0.0
        for (topic, var counters) in self.topics {
            if let since = counters.meshSince {
                let quanta = min((now - since) / parameters.timeInMeshQuantum, parameters.timeInMeshCap)
                total += max(quanta, 0) * parameters.timeInMeshWeight
            }
            total += counters.firstMessageDeliveries * parameters.firstMessageDeliveriesWeight
            total +=
                counters.invalidMessageDeliveries * counters.invalidMessageDeliveries
                * parameters.invalidMessageDeliveriesWeight
            counters.firstMessageDeliveries = Self.decayed(
                counters.firstMessageDeliveries,
                by: parameters.firstMessageDeliveriesDecay,
                parameters
            )
            counters.invalidMessageDeliveries = Self.decayed(
                counters.invalidMessageDeliveries,
                by: parameters.invalidMessageDeliveriesDecay,
                parameters
            )
            let isIdle =
                counters.meshSince == nil && counters.firstMessageDeliveries == 0
                && counters.invalidMessageDeliveries == 0
            self.topics[topic] = isIdle ? nil : counters
        }
        total += self.behaviourPenalty * self.behaviourPenalty * parameters.behaviourPenaltyWeight
        self.behaviourPenalty = Self.decayed(self.behaviourPenalty, by: parameters.behaviourPenaltyDecay, parameters)
        self.value = total
    }

    private static func decayed(
        _ value: Double,
        by factor: Double,
        _ parameters: GossipsubConfiguration.ScoreParameters
    ) -> Double {
        let next = value * factor
        return next < parameters.decayToZero ? 0 : next
    }
}
