extension GossipsubRouter {
    mutating func connect(_ peer: Peer, protocolVersion: GossipsubProtocol, isOutbound: Bool, now: Instant) {
        if self.peers[peer] != nil {
            // A redial of our stream: keep the state, take the newest negotiation, and open the
            // new stream with our subscriptions as nwaku does.
            self.peers[peer]?.protocolVersion = protocolVersion
            self.peers[peer]?.isOutbound = isOutbound
            self.announceSubscriptions(to: peer)
            return
        }
        self.peers[peer] = PeerState(
            protocolVersion: protocolVersion,
            isOutbound: isOutbound,
            historyLength: self.configuration.historyLength,
            iWantBudget: self.configuration.limits.iWantBudget
        )
        // Counters survive a reconnect for `retainScore` (nim's `onNewPeer`), and a peer that
        // left graylisted is sent away again at once.
        self.scores[peer, default: PeerScore()].expiry = nil
        let score = self.score(of: peer)
        if score < self.configuration.score.graylistThreshold {
            self.trace(.graylisted(peer: peer, score: score))
            self.outbox.append(.disconnect(peer))
        }
        self.announceSubscriptions(to: peer)
    }

    /// nwaku's first RPC on a new stream is the full list of its subscriptions.
    private mutating func announceSubscriptions(to peer: Peer) {
        guard !self.subscriptions.isEmpty else { return }
        let subscriptions = self.subscriptions.sorted().map { RPC.Subscription(subscribe: true, topic: $0) }
        self.send(RPC(subscriptions: subscriptions), to: peer)
    }

    /// Our stream to `peer` failed; the connection (and the peer's stream to us) lasts.
    mutating func closeStream(_ peer: Peer, now: Instant) {
        guard self.peers[peer] != nil else { return }
        for topic in self.mesh.keys.sorted() {
            self.removeFromMesh(peer, topic: topic, backoff: self.configuration.pruneBackoff, now: now)
        }
        for topic in self.fanout.keys {
            self.fanout[topic]?.remove(peer)
        }
        self.controlBuffer[peer] = nil
    }

    mutating func disconnect(_ peer: Peer, now: Instant) {
        guard let state = self.peers.removeValue(forKey: peer) else { return }
        for topic in self.mesh.keys.sorted() {
            self.removeFromMesh(peer, topic: topic, backoff: self.configuration.pruneBackoff, now: now)
        }
        for topic in state.topics {
            self.removeTopicPeer(peer, topic: topic)
        }
        for topic in self.fanout.keys {
            self.fanout[topic]?.remove(peer)
        }
        self.controlBuffer[peer] = nil
        if var score = self.scores[peer] {
            for topic in score.topics.keys {
                score.topics[topic]?.firstMessageDeliveries = 0
            }
            score.expiry = now + self.configuration.score.retainScore
            self.scores[peer] = score
        }
        self.forgetRetainedScoresBeyondLimit()
    }

    mutating func subscribe(_ topic: String, now: Instant) {
        guard !topic.isEmpty, self.subscriptions.insert(topic).inserted else { return }
        // As nim-libp2p: a fanout on the topic is dropped; the mesh starts from the rebalance.
        self.fanout[topic] = nil
        self.fanoutExpiry[topic] = nil
        self.mesh[topic] = []
        self.countersByTopic[topic] = TrafficCounters()
        let announcement = RPC(subscriptions: [RPC.Subscription(subscribe: true, topic: topic)])
        for peer in self.peers.keys.sorted() {
            self.send(announcement, to: peer)
        }
        self.rebalance(topic, now: now)
    }

    mutating func unsubscribe(_ topic: String, now: Instant) {
        guard self.subscriptions.remove(topic) != nil else { return }
        let backoff = self.configuration.unsubscribeBackoff
        for peer in (self.mesh[topic] ?? []).sorted() {
            self.removeFromMesh(peer, topic: topic, backoff: backoff, now: now)
            self.queuePrune(topic, to: peer, backoff: backoff)
        }
        self.mesh[topic] = nil
        self.countersByTopic[topic] = nil
        // PRUNE before UNSUBSCRIBE, as nim does: the other side then keeps our short backoff
        // instead of the 60 s it records when a mesh peer unsubscribes.
        self.flushControl()
        let announcement = RPC(subscriptions: [RPC.Subscription(subscribe: false, topic: topic)])
        for peer in self.peers.keys.sorted() {
            self.send(announcement, to: peer)
        }
    }

    /// Applies a peer's SUBSCRIBE and UNSUBSCRIBE entries, within the per-RPC and per-peer caps.
    mutating func apply(_ subscriptions: [RPC.Subscription], from peer: Peer, now: Instant) {
        let limits = self.configuration.limits
        if subscriptions.count > limits.maxSubscriptionsPerRPC {
            self.penalize(peer, .tooManySubscriptions)
        }
        var overflowed = false
        for subscription in subscriptions.prefix(limits.maxSubscriptionsPerRPC) {
            let topic = subscription.topic
            guard var state = self.peers[peer] else { return }
            if subscription.subscribe {
                guard !state.topics.contains(topic), topic.utf8.count <= limits.maxTopicLength else { continue }
                guard state.topics.count < limits.maxTopicsPerPeer else {
                    overflowed = true
                    continue
                }
                state.topics.insert(topic)
                self.peers[peer] = state
                self.topicPeers[topic, default: []].insert(peer)
            } else if state.topics.remove(topic) != nil {
                self.peers[peer] = state
                // Against the spec but as nim-libp2p: leaving the topic also leaves our mesh, with
                // the full prune backoff.
                self.removeFromMesh(peer, topic: topic, backoff: self.configuration.pruneBackoff, now: now)
                self.removeTopicPeer(peer, topic: topic)
                self.fanout[topic]?.remove(peer)
            }
        }
        if overflowed { self.penalize(peer, .tooManyTopics) }
    }

    // MARK: - Mesh and backoff bookkeeping

    mutating func addToMesh(_ peer: Peer, topic: String, now: Instant) {
        guard self.mesh[topic]?.insert(peer).inserted == true else { return }
        self.scores[peer, default: PeerScore()].topics[topic, default: PeerScore.TopicCounters()].meshSince = now
        self.fanout[topic]?.remove(peer)
        self.trace(.meshJoined(topic: topic, peer: peer))
    }

    /// Takes a peer out of a topic's mesh; with a `backoff`, we will not GRAFT it for that long.
    mutating func removeFromMesh(_ peer: Peer, topic: String, backoff: Duration?, now: Instant) {
        guard self.mesh[topic]?.remove(peer) != nil else { return }
        if let backoff {
            self.backoff[topic, default: [:]][peer] = now + backoff
        }
        self.scores[peer]?.topics[topic]?.meshSince = nil
        self.trace(.meshLeft(topic: topic, peer: peer))
    }

    func isBackingOff(_ peer: Peer, topic: String, now: Instant) -> Bool {
        guard let until = self.backoff[topic]?[peer] else { return false }
        return until > now
    }

    mutating func queuePrune(_ topic: String, to peer: Peer, backoff: Duration) {
        let seconds = UInt64(max(backoff.components.seconds, 0))
        self.queueControl(to: peer) { $0.prune.append(RPC.Prune(topic: topic, backoff: seconds)) }
        self.count(topic) { $0.prune.sent += 1 }
        self.trace(.pruneSent(topic: topic, peer: peer))
    }

    mutating func penalize(_ peer: Peer, _ reason: PenaltyReason) {
        self.scores[peer, default: PeerScore()].behaviourPenalty += self.configuration.score.penaltyIncrement
        self.trace(.penalized(peer: peer, reason: reason))
    }

    private mutating func removeTopicPeer(_ peer: Peer, topic: String) {
        self.topicPeers[topic]?.remove(peer)
        if self.topicPeers[topic]?.isEmpty == true {
            self.topicPeers[topic] = nil
        }
    }

    private mutating func forgetRetainedScoresBeyondLimit() {
        let limit = self.configuration.limits.maxRetainedScores
        let retained = self.scores.compactMap { peer, score in score.expiry.map { (peer: peer, expiry: $0) } }
        guard retained.count > limit else { return }
        let oldestFirst = retained.sorted { ($0.expiry, $0.peer) < ($1.expiry, $1.peer) }
        for entry in oldestFirst.prefix(retained.count - limit) {
            self.scores[entry.peer] = nil
        }
    }
}
