extension GossipsubRouter {
    /// nim-libp2p's `onHeartbeat`, plus the score update every decay interval and cache expiry.
    mutating func heartbeat(now: Instant) {
        let configuration = self.configuration
        for peer in self.peers.keys {
            self.peers[peer]?.startHeartbeat(iWantBudget: configuration.limits.iWantBudget)
        }
        if let due = self.nextScoreUpdate {
            if now >= due {
                self.updateScores(now: now)
                self.nextScoreUpdate = now + configuration.score.decayInterval
            }
        } else {
            self.nextScoreUpdate = now + configuration.score.decayInterval
        }
        self.expireBackoffs(now: now)
        for topic in self.subscriptions.sorted() {
            // Negative peers leave before the rebalance, so none is grafted and pruned in one go.
            for peer in (self.mesh[topic] ?? []).sorted() where self.score(of: peer) < 0 {
                self.removeFromMesh(peer, topic: topic, backoff: configuration.pruneBackoff, now: now)
                self.queuePrune(topic, to: peer, backoff: configuration.pruneBackoff)
            }
            self.rebalance(topic, now: now)
        }
        for (topic, expiry) in self.fanoutExpiry where now > expiry {
            self.fanout[topic] = nil
            self.fanoutExpiry[topic] = nil
        }
        for topic in self.fanout.keys.sorted() {
            self.replenishFanout(topic)
        }
        self.emitGossip()
        self.messageCache.shift()
        self.seen.expire(at: now)
        let expired = self.pending.filter { $0.value.deadline <= now }.sorted {
            $0.key.bytes.lexicographicallyPrecedes($1.key.bytes)
        }
        for (key, entry) in expired {
            let id = key.bytes
            _ = self.takePending(id)
            self.trace(.dropped(messageID: id, from: entry.source, reason: .validationTimedOut))
        }
    }

    /// nim-libp2p's `rebalanceMesh`: graft up to `d` when below `dLow`, top up outbound peers to
    /// `dOut`, prune to `d` above `dHigh` keeping the `dScore` best and `dOut` outbound peers.
    mutating func rebalance(_ topic: String, now: Instant) {
        let configuration = self.configuration
        guard let current = self.mesh[topic] else { return }
        var grafted: Set<Peer> = []
        let outboundCount = current.count(where: { self.peers[$0]?.isOutbound == true })
        if current.count < configuration.dLow {
            let candidates = self.graftCandidates(topic, outboundOnly: false, now: now)
            grafted = Set(candidates.prefix(max(configuration.d - current.count, 0)))
        } else if outboundCount < configuration.dOut {
            let candidates = self.graftCandidates(topic, outboundOnly: true, now: now)
            grafted = Set(candidates.prefix(configuration.dOut - outboundCount))
        }
        for peer in grafted.sorted() {
            self.addToMesh(peer, topic: topic, now: now)
            self.queueControl(to: peer) { $0.graft.append(RPC.Graft(topic: topic)) }
            self.count(topic) { $0.graft.sent += 1 }
            self.trace(.graftSent(topic: topic, peer: peer))
        }
        let meshPeers = self.mesh[topic] ?? []
        guard meshPeers.count > configuration.dHigh else { return }
        var prunes = meshPeers.subtracting(grafted).sorted()
        prunes.shuffle(using: &self.random)
        prunes.sort { self.score(of: $0) < self.score(of: $1) }
        // Keep the `dScore` best; among the rest, keep `dOut` outbound ones.
        guard prunes.count > configuration.dScore else { return }
        prunes.removeLast(configuration.dScore)
        let outbound = prunes.filter { self.peers[$0]?.isOutbound == true }
        let inbound = prunes.filter { self.peers[$0]?.isOutbound != true }
        let outboundPrunable = max(outbound.count - configuration.dOut, 0)
        prunes = inbound + outbound.prefix(outboundPrunable)
        // nim-libp2p's arithmetic, kept as is: all candidates go, unless there are more than `d`
        // of them, then only the excess over `d` (a huge mesh shrinks over several heartbeats).
        let excess = prunes.count - configuration.d
        if excess > 0 {
            prunes.shuffle(using: &self.random)
            prunes.removeLast(prunes.count - excess)
        }
        for peer in prunes.sorted() {
            self.removeFromMesh(peer, topic: topic, backoff: configuration.pruneBackoff, now: now)
            self.queuePrune(topic, to: peer, backoff: configuration.pruneBackoff)
        }
    }

    /// Topic peers we may graft: not in the mesh, score ≥ 0, not backing off; best score first,
    /// ties in random order.
    private mutating func graftCandidates(_ topic: String, outboundOnly: Bool, now: Instant) -> [Peer] {
        let meshPeers = self.mesh[topic] ?? []
        var candidates = (self.topicPeers[topic] ?? []).sorted().filter { peer in
            !meshPeers.contains(peer) && self.score(of: peer) >= 0
                && !self.isBackingOff(peer, topic: topic, now: now)
                && (!outboundOnly || self.peers[peer]?.isOutbound == true)
        }
        candidates.shuffle(using: &self.random)
        candidates.sort { self.score(of: $0) > self.score(of: $1) }
        return candidates
    }

    /// Fills a fanout up to `d` topic peers outside the mesh when it has fewer than `dLow`.
    mutating func replenishFanout(_ topic: String) {
        let configuration = self.configuration
        var peers = self.fanout[topic] ?? []
        guard peers.count < configuration.dLow else { return }
        let meshPeers = self.mesh[topic] ?? []
        for peer in (self.topicPeers[topic] ?? []).sorted() where !meshPeers.contains(peer) {
            guard peers.count < configuration.d else { break }
            peers.insert(peer)
        }
        self.fanout[topic] = peers
    }

    /// nim-libp2p's `getGossipPeers`: IHAVE of the recent ids of each mesh and fanout topic to
    /// `max(dLazy, gossipFactor × eligible)` topic peers outside the mesh and fanout.
    private mutating func emitGossip() {
        let configuration = self.configuration
        for topic in Set(self.mesh.keys).union(self.fanout.keys).sorted() {
            guard let topicPeers = self.topicPeers[topic] else { continue }
            var ids = self.messageCache.gossipIDs(for: topic)
            guard !ids.isEmpty else { continue }
            let fitting = self.iHaveCapacity(topic: topic, ids: ids)
            if ids.count > fitting {
                ids.shuffle(using: &self.random)
                ids.removeLast(ids.count - fitting)
            }
            let excluded = (self.mesh[topic] ?? []).union(self.fanout[topic] ?? [])
            var targets = topicPeers.subtracting(excluded).sorted().filter {
                self.score(of: $0) >= configuration.score.gossipThreshold
            }
            let target = max(configuration.dLazy, Int(configuration.gossipFactor * Double(targets.count)))
            if target < targets.count {
                targets.shuffle(using: &self.random)
                targets.removeLast(targets.count - target)
            }
            let ihave = RPC.IHave(topic: topic, messageIDs: ids)
            for peer in targets.sorted() {
                self.queueControl(to: peer) { $0.ihave.append(ihave) }
                self.peers[peer]?.sentIHaves[0].formUnion(ids.lazy.map(MessageKey.init))
                self.count(topic) { $0.iHave.sent += 1 }
                self.trace(.iHaveSent(peer: peer, count: ids.count))
            }
        }
    }

    /// How many of `ids` (in order) fit one IHAVE in a frame of its own, at most `maxIHaveLength`.
    private func iHaveCapacity(topic: String, ids: [[UInt8]]) -> Int {
        // Three nested tags and lengths (RPC → control → ihave) take at most 15 bytes.
        let topicSize = topic.utf8.count
        var budget =
            self.configuration.limits.maxFrameSize - 15 - 1 - ProtobufWriter.varintSize(UInt64(topicSize)) - topicSize
        var count = 0
        for id in ids.prefix(self.configuration.limits.maxIHaveLength) {
            budget -= 1 + ProtobufWriter.varintSize(UInt64(id.count)) + id.count
            guard budget >= 0 else { break }
            count += 1
        }
        return count
    }

    private mutating func expireBackoffs(now: Instant) {
        for topic in self.backoff.keys {
            self.backoff[topic] = self.backoff[topic]?.filter { $0.value > now }
            if self.backoff[topic]?.isEmpty == true {
                self.backoff[topic] = nil
            }
        }
    }

    /// Recomputes and decays every score; disconnects graylisted peers and forgets expired ones.
    private mutating func updateScores(now: Instant) {
        let parameters = self.configuration.score
        for peer in self.scores.keys.sorted() {
            guard var score = self.scores[peer] else { continue }
            guard self.peers[peer] != nil else {
                // Also covers counters touched after the disconnect (a late validation verdict).
                let expiry = score.expiry ?? now + parameters.retainScore
                if now > expiry {
                    self.scores[peer] = nil
                } else {
                    score.expiry = expiry
                    self.scores[peer] = score
                }
                continue
            }
            score.update(at: now, parameters: parameters)
            self.scores[peer] = score
            if score.value < parameters.graylistThreshold {
                self.trace(.graylisted(peer: peer, score: score.value))
                self.outbox.append(.disconnect(peer))
            }
        }
    }
}
