internal import Libp2p
internal import NodeEvents
internal import WakuCore
internal import WakuSync

extension WakuNode {
    /// Runs one session as initiator with `peer` (periodic, forced or one-shot), then pushes what
    /// the peer lacks and waits for or fetches what we lack.
    ///
    /// - Returns: the session's end, or nil when it could not start (paused, busy, unknown peer).
    @discardableResult
    func synchronize(with peer: String) async -> SessionEnd? {
        guard !(await self.peers.isPaused(peer)) else { return nil }
        guard let peerID = try? PeerID(parsing: peer) else { return nil }
        guard let id = await self.engine.openSession(with: peer, role: .initiator) else { return nil }
        let window = self.configuration.syncWindow(at: self.now())
        let theirCount = await self.auditCount(of: peerID, window: window)
        var failure: String?
        do {
            let stream = try await self.host.openStream(
                to: peerID,
                protocolID: Self.reconciliationProtocol,
                timeout: .seconds(10)
            )
            do {
                try await stream.writeMessage(await self.engine.start(id, window: window))
                failure = try await self.exchange(over: stream, session: id)
                await stream.close()
            } catch {
                stream.reset()
                throw error
            }
        } catch let error as Libp2pError where error.code == .streamReset {
            // A responder that is busy with another session with us, or has paused us, resets.
            failure = "the peer refused the session (busy with another one, or it paused us)"
        } catch {
            failure = Self.describe(error)
        }
        let end = await self.conclude(id, failure: failure)
        if let end, let theirCount, end.outcome == .reconciled, end.weNeed == 0, end.theyNeed == 0 {
            let ours = await self.engine.auditCount(
                from: window.start,
                to: window.end,
                pubsubTopics: self.configuration.syncPubsubTopics,
                contentTopics: self.configuration.contentTopics
            )
            if ours != theirCount {
                await self.pullHidden(from: peerID, window: window, theirs: theirCount, ours: ours)
            }
        }
        return end
    }

    /// Serves a session a peer opened with us.
    func serveReconciliation(_ stream: Libp2pStream) async throws {
        let peer = stream.peerID.description
        if await self.peers.isPaused(peer) {
            self.events.emit(.notice(Notice(.info, "refused a session: peer is paused", peerID: peer)))
            stream.reset()
            return
        }
        guard let id = await self.engine.openSession(with: peer, role: .responder) else {
            self.events.emit(.notice(Notice(.info, "refused a session: one is already running", peerID: peer)))
            stream.reset()
            return
        }
        var failure: String?
        do {
            failure = try await self.exchange(over: stream, session: id)
            await stream.close()
        } catch {
            stream.reset()
            failure = Self.describe(error)
        }
        await self.conclude(id, failure: failure)
    }

    /// Reads payloads and writes replies until the session is over (PROTOCOLS.md §4.8).
    ///
    /// - Returns: nil when the session ended as the protocol says, else why it was abandoned.
    private func exchange(over stream: Libp2pStream, session id: SessionID) async throws -> String? {
        while true {
            guard
                let bytes = try await stream.readMessage(
                    maxSize: RangesData.maxPayloadSize,
                    timeout: self.configuration.roundTimeout
                )
            else {
                // nwaku closes without replying to a payload it cannot decode (§4.5).
                return "the peer closed the stream without a reply (an incompatible sync version?)"
            }
            let step: ReconciliationSession.Step
            do {
                step = try await self.engine.receive(bytes, in: id)
            } catch {
                self.events.emit(
                    .notice(Notice(.warning, "session abandoned: \(error)", peerID: stream.peerID.description))
                )
                return error.description
            }
            switch step {
            case .finish:
                return nil
            case .reply(let reply):
                try await stream.writeMessage(reply)
            case .replyAndFinish(let reply):
                try await stream.writeMessage(reply)
                return nil
            }
        }
    }

    /// Ends a session in the engine and does what it left to do.
    @discardableResult
    private func conclude(_ id: SessionID, failure: String?) async -> SessionEnd? {
        guard let result = await self.engine.finish(id, failure: failure) else { return nil }
        let peer = result.end.peerID
        await self.peers.change(peer) { snapshot in
            snapshot.lastSyncAt = result.end.endedAt
            snapshot.lastSyncOutcome = Self.outcomeText(result.end)
            if result.end.failed {
                snapshot.sessionsFailed += 1
            } else {
                snapshot.sessionsCompleted += 1
            }
            snapshot.differencesWeNeeded += result.end.weNeed
            snapshot.differencesTheyNeeded += result.end.theyNeed
        }
        if !result.heldAccepted.isEmpty {
            await self.engine.store(
                result.heldAccepted.map {
                    SyncEngine.Incoming(
                        pubsubTopic: $0.pubsubTopic,
                        message: $0.message,
                        hash: $0.message.hash(pubsubTopic: $0.pubsubTopic),
                        source: .sync,
                        peer: peer
                    )
                }
            )
        }
        if let peerID = try? PeerID(parsing: peer) {
            if !result.theyNeed.isEmpty {
                await self.push(result.theyNeed.map(\.hash), to: peerID)
            }
            if self.configuration.fetchMode == .store && !result.weNeed.isEmpty {
                await self.fetch(from: peerID, grace: .zero)
            }
        }
        return result.end
    }

    static func outcomeText(_ end: SessionEnd) -> String {
        switch end.outcome {
        case .reconciled: "reconciled"
        case .scopeMismatch: "scopes differ"
        case .failed(let reason): "failed: \(reason)"
        }
    }
}
