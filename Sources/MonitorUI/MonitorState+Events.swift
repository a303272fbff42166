internal import NodeEvents

// The reducer's cases, one helper per kind of event.
extension MonitorState {
    mutating func start(_ info: NodeInfo, at now: Int64) {
        self.node = info
        self.isStopping = false
        let scope = info.shards.isEmpty ? "" : " shards \(info.shards.map(String.init).joined(separator: ","))"
        self.appendLog(
            .info,
            .node,
            "node \(info.name) started: cluster \(info.clusterID)\(scope), \(info.strategy)",
            at: now
        )
        for address in info.listenAddresses { self.appendLog(.info, .node, "listening on \(address)", at: now) }
    }

    mutating func update(_ peer: PeerSnapshot, at now: Int64) {
        let previous = self.peers[peer.peerID]
        if previous == nil { self.peerOrder.append(peer.peerID) }
        self.peers[peer.peerID] = peer
        for (severity, text) in Self.changes(from: previous, to: peer, at: now) {
            self.appendLog(severity, .peer, text, peerID: peer.peerID, at: now)
        }
    }

    mutating func removePeer(_ peerID: String, at now: Int64) {
        guard self.peers.removeValue(forKey: peerID) != nil else { return }
        self.peerOrder.removeAll { $0 == peerID }
        self.transfers.removeValue(forKey: peerID)
        self.audits.removeValue(forKey: peerID)
        self.appendLog(.info, .peer, "peer forgotten", peerID: peerID, at: now)
    }

    mutating func startSession(_ start: SessionStart) {
        if let index = self.liveSessions.firstIndex(where: { $0.id == start.id }) {
            let rounds = self.liveSessions[index]
            var record = SessionRecord(start)
            for round in rounds.rounds { record.record(round) }
            self.liveSessions[index] = record
        } else {
            self.liveSessions.append(SessionRecord(start))
        }
    }

    mutating func recordRound(_ round: SessionRound, at now: Int64) {
        if let index = self.liveSessions.firstIndex(where: { $0.id == round.id }) {
            self.liveSessions[index].record(round)
        } else {
            // The start event was dropped: keep what we can.
            var record = SessionRecord(id: round.id, peerID: round.peerID, startedAt: now)
            record.record(round)
            self.liveSessions.append(record)
        }
    }

    mutating func endSession(_ end: SessionEnd, at now: Int64) {
        var record: SessionRecord
        if let index = self.liveSessions.firstIndex(where: { $0.id == end.id }) {
            record = self.liveSessions.remove(at: index)
        } else {
            let started =
                end.endedAt - Int64(end.duration.components.seconds) * Format.nanosecondsPerSecond
                - end.duration.components.attoseconds / 1_000_000_000
            record = SessionRecord(id: end.id, peerID: end.peerID, startedAt: started)
        }
        record.finish(end)
        self.finishedSessions.insert(record, at: 0)
        if self.finishedSessions.count > Self.finishedSessionLimit { self.finishedSessions.removeLast() }
        if self.finishedSessions.count > Self.detailedSessionLimit {
            self.finishedSessions[Self.detailedSessionLimit].dropRangeSummaries()
        }
        let (severity, text) = Self.summary(of: end)
        self.appendLog(severity, .session, text, peerID: end.peerID, at: now)
    }

    mutating func updateTransfer(_ queue: TransferQueue, at now: Int64) {
        if self.transfers[queue.peerID] == nil {
            self.transfers[queue.peerID] = TransferTrack(queue, at: now)
        } else {
            self.transfers[queue.peerID]?.update(queue, at: now)
        }
    }

    mutating func updateResume(_ progress: ResumeProgress, at now: Int64) {
        let previous = self.resume
        self.resume = progress
        guard previous?.state != progress.state || previous?.peerID != progress.peerID else { return }
        switch progress.state {
        case .running:
            self.appendLog(.info, .resume, "resume started", peerID: progress.peerID, at: now)
        case .finished:
            self.appendLog(
                .info,
                .resume,
                "resume finished: \(Format.count(progress.messages)) messages in \(progress.pages) pages",
                peerID: progress.peerID,
                at: now
            )
        case .failed(let reason):
            self.appendLog(.warning, .resume, "resume failed: \(reason)", peerID: progress.peerID, at: now)
        case .noPeer:
            self.appendLog(.warning, .resume, "resume: no store peer to resume from", at: now)
        }
    }

    /// The log lines a peer update deserves: state changes, pauses and new errors.
    private static func changes(
        from previous: PeerSnapshot?,
        to peer: PeerSnapshot,
        at now: Int64
    ) -> [(Notice.Severity, String)] {
        var lines: [(Notice.Severity, String)] = []
        if previous?.state != peer.state {
            switch peer.state {
            case .connecting: lines.append((.info, "connecting" + (peer.address.map { " to \($0)" } ?? "")))
            case .connected:
                let direction = peer.direction.map { " (\($0.rawValue))" } ?? ""
                lines.append((.info, "connected\(direction)"))
            case .disconnected: lines.append((.warning, "disconnected"))
            case .backingOff:
                let retry = peer.reconnectAt.map { ", retry in \(Format.span(from: now, to: $0))" } ?? ""
                lines.append((.warning, "backing off\(retry)"))
            }
        }
        if let previous, previous.isPaused != peer.isPaused {
            lines.append((.info, peer.isPaused ? "paused" : "unpaused"))
        }
        if let error = peer.lastError, error != previous?.lastError {
            lines.append((.warning, "error: \(error)"))
        }
        return lines
    }

    private static func summary(of end: SessionEnd) -> (Notice.Severity, String) {
        let totals =
            "\(end.rounds) round\(end.rounds == 1 ? "" : "s"), \(Format.bytes(end.bytesSent + end.bytesReceived)), "
            + Format.duration(end.duration)
        switch end.outcome {
        case .reconciled:
            return (.info, "session \(end.id) reconciled: we need \(end.weNeed), they need \(end.theyNeed) (\(totals))")
        case .scopeMismatch: return (.warning, "session \(end.id): topic scopes do not intersect")
        case .failed(let reason): return (.warning, "session \(end.id) failed: \(reason) (\(totals))")
        }
    }
}
