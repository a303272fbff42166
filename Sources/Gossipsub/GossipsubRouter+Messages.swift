extension GossipsubRouter {
    /// Handles one frame: subscriptions, then messages, then control, as nim-libp2p's `rpcHandler`.
    mutating func receive(_ frame: [UInt8], from peer: Peer, now: Instant) {
        guard self.peers[peer] != nil else { return }
        guard self.score(of: peer) >= self.configuration.score.graylistThreshold else {
            self.trace(.graylistedFrameIgnored(peer: peer))
            return
        }
        let limits = self.configuration.limits
        guard frame.count <= limits.maxFrameSize else {
            self.trace(.frameTooLarge(peer: peer, size: frame.count))
            return
        }
        let rpc: RPC
        do {
            rpc = try RPC(decoding: frame, limits: limits.decoding)
        } catch {
            self.trace(.decodeFailed(peer: peer, error: error))
            self.penalize(peer, .undecodableRPC)
            return
        }
        self.apply(rpc.subscriptions, from: peer, now: now)
        for message in rpc.messages {
            self.receive(message, from: peer, now: now)
        }
        var replies: [RPC.Message] = []
        if let control = rpc.control {
            replies = self.handle(control, from: peer, now: now)
        }
        // A SUBSCRIBE to one of our topics whose mesh is short grafts at once, not at the heartbeat.
        for subscription in rpc.subscriptions.prefix(limits.maxSubscriptionsPerRPC)
        where subscription.subscribe && (self.mesh[subscription.topic]?.count ?? Int.max) < self.configuration.dLow {
            self.rebalance(subscription.topic, now: now)
        }
        // Control first, then the IWANT answers (nim sends those on its low-priority queue).
        self.flushControl()
        for reply in replies {
            self.send(RPC(messages: [reply]), to: peer)
            self.countSent(reply, to: 1)
        }
    }

    /// One received message: seen cache, topic, LaxNoSign checks, IDONTWANT, then validation
    /// (PROTOCOLS.md §10.5).
    private mutating func receive(_ message: RPC.Message, from peer: Peer, now: Instant) {
        let id = self.messageID(message.data)
        if let filter = self.deliveryFilter, !filter(id, peer) { return }
        let size = message.data.count + message.topic.utf8.count
        self.count(message.topic) { $0.bytesIn += size }
        if self.seen.contains(id, at: now) {
            self.pending[MessageKey(id)]?.alsoFrom.insert(peer)
            self.count(message.topic) { $0.duplicates += 1 }
            self.trace(.duplicate(messageID: id, from: peer))
            return
        }
        let limits = self.configuration.limits
        guard self.pending.count < limits.maxPendingValidations,
            self.pendingBytes + message.data.count <= limits.maxPendingValidationBytes
        else {
            self.trace(.dropped(messageID: id, from: peer, reason: .validationQueueFull))
            return
        }
        _ = self.seen.insert(id, at: now)
        let topic = message.topic
        guard self.subscriptions.contains(topic) else {
            self.trace(.dropped(messageID: id, from: peer, reason: .notSubscribed))
            return
        }
        if message.signature != nil {
            self.count(topic) { $0.malformed += 1 }
            self.reject(id, topic: topic, from: peer, reason: .signaturePresent)
            return
        }
        if let seqno = message.seqno, seqno.count != 8 {
            self.count(topic) { $0.malformed += 1 }
            self.reject(id, topic: topic, from: peer, reason: .invalidSeqno)
            return
        }
        if message.data.count > max(self.configuration.iDontWantThreshold, 10 * id.count) {
            for target in self.forwardTargets(topic: topic, excluding: [peer])
            where self.peers[target]?.protocolVersion.supportsIDontWant == true {
                self.queueControl(to: target) { $0.idontwant.append(RPC.MessageIDList(messageIDs: [id])) }
                self.trace(.iDontWantSent(peer: target))
            }
        }
        let stripped = RPC.Message(data: message.data, topic: topic)
        self.pendingBytes += stripped.data.count
        self.pending[MessageKey(id)] = PendingValidation(
            message: stripped,
            source: peer,
            deadline: now + self.configuration.seenTTL
        )
        self.outbox.append(.validate(InboundMessage(topic: topic, data: message.data, messageID: id, source: peer)))
    }

    mutating func finishValidation(of id: [UInt8], result: ValidationResult, now: Instant) {
        guard let entry = self.takePending(id) else { return }
        let topic = entry.message.topic
        switch result {
        case .reject:
            self.count(topic) { $0.invalid += 1 }
            self.reject(id, topic: topic, from: entry.source, reason: .rejected)
        case .ignore:
            self.count(topic) { $0.ignored += 1 }
            self.trace(.dropped(messageID: id, from: entry.source, reason: .ignored))
        case .accept:
            // The topic may have been left while the message was validated.
            guard self.subscriptions.contains(topic) else { return }
            self.messageCache.put(entry.message, id: id)
            self.rewardFirstDelivery(entry.source, topic: topic)
            let targets = self.forwardTargets(topic: topic, excluding: entry.alsoFrom.union([entry.source]))
                .filter { self.peers[$0]?.doesNotWant(id) != true }
            if !targets.isEmpty {
                let frame = RPC(messages: [entry.message]).encoded()
                for target in targets {
                    self.send(frame: frame, to: target)
                }
            }
            self.count(topic) {
                $0.received += 1
                $0.forwarded += targets.count
            }
            self.countSent(entry.message, to: targets.count)
            self.trace(.accepted(messageID: id, from: entry.source, forwardedTo: targets.count))
            self.outbox.append(
                .deliver(InboundMessage(topic: topic, data: entry.message.data, messageID: id, source: entry.source))
            )
        }
    }

    /// Publishes our own message: flood to topic peers (nwaku) or mesh and fanout.
    mutating func publish(_ data: [UInt8], on topic: String, now: Instant) {
        guard !topic.isEmpty else {
            self.trace(.publishFailed(topic: topic, reason: .emptyTopic))
            return
        }
        let message = RPC.Message(data: data, topic: topic)
        let frame = RPC(messages: [message]).encoded()
        guard frame.count <= self.configuration.limits.maxFrameSize else {
            self.trace(.publishFailed(topic: topic, reason: .tooLarge))
            return
        }
        let targets = self.publishTargets(topic: topic, dataSize: data.count, now: now)
        guard !targets.isEmpty else {
            self.trace(.publishFailed(topic: topic, reason: .noPeers))
            return
        }
        let id = self.messageID(data)
        guard !self.seen.insert(id, at: now) else {
            self.trace(.publishFailed(topic: topic, reason: .duplicate))
            return
        }
        self.messageCache.put(message, id: id)
        for target in targets {
            self.send(frame: frame, to: target)
        }
        self.count(topic) { $0.published += targets.count }
        self.countSent(message, to: targets.count)
        self.trace(.published(topic: topic, messageID: id, peerCount: targets.count))
    }

    /// Removes a pending validation, keeping ``pendingBytes`` in step.
    mutating func takePending(_ id: [UInt8]) -> PendingValidation? {
        guard let entry = self.pending.removeValue(forKey: MessageKey(id)) else { return nil }
        self.pendingBytes -= entry.message.data.count
        return entry
    }

    /// Rejected messages count against the sender's P4 on topics we are subscribed to.
    private mutating func reject(_ id: [UInt8], topic: String, from peer: Peer, reason: DropReason) {
        if self.subscriptions.contains(topic) {
            self.scores[peer, default: PeerScore()].topics[topic, default: PeerScore.TopicCounters()]
                .invalidMessageDeliveries += 1
        }
        self.trace(.dropped(messageID: id, from: peer, reason: reason))
    }

    private mutating func rewardFirstDelivery(_ peer: Peer, topic: String) {
        let cap = self.configuration.score.firstMessageDeliveriesCap
        var counters = self.scores[peer, default: PeerScore()].topics[topic, default: PeerScore.TopicCounters()]
        counters.firstMessageDeliveries = min(counters.firstMessageDeliveries + 1, cap)
        self.scores[peer, default: PeerScore()].topics[topic] = counters
    }

    /// Mesh peers of the topic except `excluded`, sorted.
    private func forwardTargets(topic: String, excluding excluded: Set<Peer>) -> [Peer] {
        (self.mesh[topic] ?? []).subtracting(excluded).sorted()
    }

    /// nim-libp2p's `makePeersForPublishDefault`.
    private mutating func publishTargets(topic: String, dataSize: Int, now: Instant) -> [Peer] {
        let configuration = self.configuration
        var targets = self.mesh[topic] ?? []
        if configuration.floodPublish {
            let limit = self.floodLimit(dataSize: dataSize)
            for peer in (self.topicPeers[topic] ?? []).sorted() where targets.count < limit {
                if self.score(of: peer) >= configuration.score.publishThreshold {
                    targets.insert(peer)
                }
            }
        } else if targets.count < configuration.dLow {
            self.replenishFanout(topic)
            var fanoutPeers = (self.fanout[topic] ?? []).sorted()
            fanoutPeers.shuffle(using: &self.random)
            for peer in fanoutPeers where targets.count <= configuration.d {
                targets.insert(peer)
            }
            // Trying to publish keeps the fanout alive, even when nothing could be sent.
            self.fanoutExpiry[topic] = now + configuration.fanoutTTL
        }
        return targets.sorted()
    }

    /// How many peers one flood publish may reach: as many as the assumed bandwidth allows in one
    /// heartbeat, and at least `dLow` (nim: about 83 peers for a 150 KiB message).
    private func floodLimit(dataSize: Int) -> Int {
        let bytesPerMillisecond = self.configuration.bandwidthEstimate / 8 / 1000
        guard bytesPerMillisecond > 0 else { return Int.max }
        let millisecondsToSend = max(dataSize / bytesPerMillisecond, 1)
        let heartbeat = self.configuration.heartbeatInterval.components
        let heartbeatMilliseconds = Int(heartbeat.seconds) * 1000 + Int(heartbeat.attoseconds / 1_000_000_000_000_000)
        return max(heartbeatMilliseconds / millisecondsToSend, self.configuration.dLow)
    }
}
