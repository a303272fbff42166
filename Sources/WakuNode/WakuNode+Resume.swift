internal import Libp2p
internal import NodeEvents
internal import WakuArchive
internal import WakuCore

extension WakuNode {
    /// Store Resume (PROTOCOLS.md §6.1–6.2): queries one random store peer for everything since
    /// we were last online (at most 6 h), page by page, and stores it in the archive and the
    /// index without nwaku's ±20 s receive-time check; falls back to the next peer on failure.
    func resume(waitingForPeers: Bool) async {
        guard !self.resumeRunning else { return }
        self.resumeRunning = true
        defer { self.resumeRunning = false }
        let lastOnline = try? await self.archive.lastOnline()
        let plan = ResumePlan(
            lastOnline: lastOnline,
            now: self.now(),
            pubsubTopics: self.configuration.syncPubsubTopics,
            contentTopics: self.configuration.contentTopics
        )
        var candidates: [String] = []
        let deadline = ContinuousClock.now + (waitingForPeers ? Duration.seconds(15) : .zero)
        while true {
            candidates = self.shuffled(PeerChoice.storePeers(among: await self.peers.snapshots))
            if !candidates.isEmpty || ContinuousClock.now >= deadline { break }
            do { try await Task.sleep(for: .milliseconds(250)) } catch { return }
        }
        var progress = ResumeProgress(
            state: .noPeer,
            peerID: nil,
            windowStart: plan.start,
            windowEnd: plan.end,
            pages: 0,
            messages: 0,
            coveredUntil: plan.start,
            startedAt: self.now()
        )
        guard !candidates.isEmpty else {
            self.events.emit(.resume(progress))
            return
        }
        for peer in candidates {
            guard let peerID = try? PeerID(parsing: peer) else { continue }
            progress.state = .running
            progress.peerID = peer
            progress.pages = 0
            progress.messages = 0
            progress.coveredUntil = plan.start
            self.events.emit(.resume(progress))
            do {
                try await self.resume(plan, from: peerID, progress: &progress)
                progress.state = .finished
                progress.coveredUntil = plan.end
                self.events.emit(.resume(progress))
                return
            } catch {
                progress.state = .failed(Self.describe(error))
                self.events.emit(.resume(progress))
            }
        }
    }

    private func resume(_ plan: ResumePlan, from peer: PeerID, progress: inout ResumeProgress) async throws {
        let contentGroups =
            plan.contentTopics.isEmpty
            ? [[]]
            : stride(from: 0, to: plan.contentTopics.count, by: 10).map {
                Array(plan.contentTopics[$0..<min($0 + 10, plan.contentTopics.count)])
            }
        let queries = plan.pubsubTopics.flatMap { topic in contentGroups.map { (topic, $0) } }
        for (number, (topic, contents)) in queries.enumerated() {
            var cursor: MessageHash?
            repeat {
                let request = StoreQueryRequest(
                    requestID: Self.requestID(),
                    includeData: true,
                    pubsubTopic: topic,
                    contentTopics: contents,
                    timeStart: plan.start,
                    timeEnd: plan.end,
                    paginationCursor: cursor,
                    paginationForward: true,
                    paginationLimit: 100
                )
                let response = try await self.query(request, peer: peer)
                guard response.statusCode.isSuccess else {
                    throw NodeError("the store peer answered \(response.statusCode): \(response.statusDesc)")
                }
                let messages = response.messages.compactMap { entry -> SyncEngine.Incoming? in
                    guard let message = entry.message, let pubsub = entry.pubsubTopic,
                        message.hash(pubsubTopic: pubsub) == entry.messageHash
                    else { return nil }
                    return SyncEngine.Incoming(
                        pubsubTopic: pubsub,
                        message: message,
                        hash: entry.messageHash,
                        source: .resume,
                        peer: peer.description
                    )
                }
                await self.engine.store(messages)
                progress.pages += 1
                progress.messages += messages.count
                // Progress over all queries: finished queries, plus how far this one has come.
                let reached = messages.map(\.message.timestamp).max() ?? plan.start
                let within =
                    plan.end > plan.start ? Double(max(0, reached - plan.start)) / Double(plan.end - plan.start) : 1
                let overall = (Double(number) + min(1, within)) / Double(queries.count)
                progress.coveredUntil = plan.start + Int64(overall * Double(plan.end - plan.start))
                self.events.emit(.resume(progress))
                cursor = response.paginationCursor
            } while cursor != nil
        }
    }
}
