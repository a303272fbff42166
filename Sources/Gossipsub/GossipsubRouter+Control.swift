extension GossipsubRouter {
    /// Handles a control part in nim-libp2p's order (PRUNE, IDONTWANT, IHAVE, GRAFT, IWANT) and
    /// returns the messages that answer the peer's IWANTs.
    mutating func handle(_ control: RPC.Control, from peer: Peer, now: Instant) -> [RPC.Message] {
        for prune in control.prune {
            self.handle(prune, from: peer, now: now)
        }
        self.handleIDontWants(control.idontwant, from: peer)
        self.handleIHaves(control.ihave, from: peer, now: now)
        var prunedTopics: Set<String> = []
        for graft in control.graft {
            self.handle(graft, from: peer, now: now, prunedTopics: &prunedTopics)
        }
        return self.answerIWants(control.iwant, from: peer)
    }

    private mutating func handle(_ prune: RPC.Prune, from peer: Peer, now: Instant) {
        let topic = prune.topic
        self.count(topic) { $0.prune.received += 1 }
        self.trace(.pruneReceived(topic: topic, peer: peer))
        // Backoffs matter only where we graft, so only our topics get one: a PRUNE storm on
        // made-up topics leaves nothing behind.
        if prune.backoff > 0, self.subscriptions.contains(topic) {
            // As nim-libp2p: the peer's backoff plus the slack, clamped to a day, never shortened.
            let seconds = Int64(min(prune.backoff, 86_400))
            let until = now + .seconds(seconds) + self.configuration.backoffSlack
            if until > self.backoff[topic]?[peer] ?? now {
                self.backoff[topic, default: [:]][peer] = until
            }
        }
        self.removeFromMesh(peer, topic: topic, backoff: nil, now: now)
    }

    /// nim-libp2p's `handleGraft`: join, or answer PRUNE (at most one per topic and RPC).
    private mutating func handle(_ graft: RPC.Graft, from peer: Peer, now: Instant, prunedTopics: inout Set<String>) {
        let topic = graft.topic
        let configuration = self.configuration
        self.count(topic) { $0.graft.received += 1 }
        self.trace(.graftReceived(topic: topic, peer: peer))
        guard self.mesh[topic]?.contains(peer) != true else { return }
        // The peer may GRAFT up to twice the slack early: it may have counted from the moment
        // it sent its PRUNE, we from the moment we received it.
        if let until = self.backoff[topic]?[peer], until - configuration.backoffSlack * 2 > now {
            self.backoff[topic, default: [:]][peer] = now + configuration.pruneBackoff
            self.penalize(peer, .graftDuringBackoff)
            if prunedTopics.insert(topic).inserted {
                self.queuePrune(topic, to: peer, backoff: configuration.pruneBackoff)
            }
            return
        }
        guard self.score(of: peer) >= configuration.score.publishThreshold,
            self.subscriptions.contains(topic),
            let state = self.peers[peer]
        else { return }
        let meshPeers = self.mesh[topic] ?? []
        let outbound = meshPeers.count(where: { self.peers[$0]?.isOutbound == true })
        if meshPeers.count < configuration.dHigh || (state.isOutbound && outbound < configuration.dOut) {
            self.addToMesh(peer, topic: topic, now: now)
        } else {
            self.backoff[topic, default: [:]][peer] = now + configuration.pruneBackoff
            if prunedTopics.insert(topic).inserted {
                self.queuePrune(topic, to: peer, backoff: configuration.pruneBackoff)
            }
        }
    }

    private mutating func handleIDontWants(_ lists: [RPC.MessageIDList], from peer: Peer) {
        // Taken out of the dictionary so the set is uniquely referenced: inserting into a copy
        // still shared with the dictionary would copy the whole set for every id.
        guard !lists.isEmpty, var state = self.peers.removeValue(forKey: peer) else { return }
        let limit = self.configuration.limits.maxIDontWantsPerHeartbeat
        var count = 0
        for id in lists.lazy.flatMap(\.messageIDs) {
            guard state.iDontWants[0].count < limit else { break }
            state.iDontWants[0].insert(MessageKey(id))
            count += 1
        }
        self.peers[peer] = state
        self.trace(.iDontWantReceived(peer: peer, count: count))
    }

    /// nim-libp2p's `handleIHave`: ask for unseen ids of our topics, at most the budget per heartbeat.
    private mutating func handleIHaves(_ ihaves: [RPC.IHave], from peer: Peer, now: Instant) {
        guard !ihaves.isEmpty, var state = self.peers[peer] else { return }
        for ihave in ihaves {
            self.count(ihave.topic) { $0.iHave.received += 1 }
        }
        self.trace(.iHaveReceived(peer: peer, count: ihaves.reduce(0) { $0 + $1.messageIDs.count }))
        let limits = self.configuration.limits
        let allowance = max(limits.maxIHavesPerHeartbeat - state.iHavesThisHeartbeat, 0)
        if ihaves.count > allowance && state.iHavesThisHeartbeat <= limits.maxIHavesPerHeartbeat {
            // Penalised once per heartbeat: the count moves past the cap below.
            self.penalize(peer, .iHaveFlood)
        }
        state.iHavesThisHeartbeat += ihaves.count
        guard self.score(of: peer) >= self.configuration.score.gossipThreshold, state.iWantBudget > 0 else {
            self.peers[peer] = state
            return
        }
        var wanted: [[UInt8]] = []
        var wantedSet: Set<[UInt8]> = []
        outer: for ihave in ihaves.prefix(allowance) where self.subscriptions.contains(ihave.topic) {
            for id in ihave.messageIDs where !self.seen.contains(id, at: now) {
                guard state.iWantBudget > 0 else { break outer }
                if wantedSet.insert(id).inserted {
                    wanted.append(id)
                    state.iWantBudget -= 1
                }
            }
        }
        self.peers[peer] = state
        guard !wanted.isEmpty else { return }
        // Shuffled, as nim does, so a peer that truncates long lists still answers different ids.
        wanted.shuffle(using: &self.random)
        self.queueControl(to: peer) { $0.iwant.append(RPC.MessageIDList(messageIDs: wanted)) }
        self.counters.iWant.sent += 1
        self.trace(.iWantSent(peer: peer, count: wanted.count))
    }

    /// nim-libp2p's `handleIWant`: only ids we advertised to this peer, each once; after too many
    /// others the rest is ignored; at most so many answers per heartbeat.
    private mutating func answerIWants(_ lists: [RPC.MessageIDList], from peer: Peer) -> [RPC.Message] {
        guard !lists.isEmpty, var state = self.peers[peer] else { return [] }
        let limits = self.configuration.limits
        self.counters.iWant.received += lists.count
        self.trace(.iWantReceived(peer: peer, count: lists.reduce(0) { $0 + $1.messageIDs.count }))
        guard self.score(of: peer) >= self.configuration.score.gossipThreshold else { return [] }
        var replies: [RPC.Message] = []
        var unadvertised = 0
        outer: for id in lists.lazy.flatMap(\.messageIDs) {
            guard state.iWantRepliesThisHeartbeat < limits.maxIWantRepliesPerHeartbeat else { break }
            guard state.takeAdvertised(id) else {
                unadvertised += 1
                if unadvertised > limits.maxUnadvertisedIWants {
                    self.penalize(peer, .iWantFlood)
                    break outer
                }
                continue
            }
            guard let message = self.messageCache.message(for: id) else { continue }
            replies.append(message)
            state.iWantRepliesThisHeartbeat += 1
        }
        self.peers[peer] = state
        if !replies.isEmpty {
            self.trace(.iWantAnswered(peer: peer, count: replies.count))
        }
        return replies
    }
}
