internal import Libp2p
internal import NodeEvents
internal import WakuCore
internal import WakuSync

/// Waku Sync reconciliation (`/vac/waku/reconciliation/1.0.0`, PROTOCOLS.md §4): sessions we
/// start and sessions peers open with us, then the pushes and fetches they call for.
///
/// Frames are read against one byte budget for every session at once and decoded in the
/// session's own task; only the range processing runs on the engine, which owns the index.
final class Reconciliation: Sendable {
    package static let protocolID = "/vac/waku/reconciliation/1.0.0"

    private let host: Libp2pHost
    private let engine: SyncEngine
    private let peers: PeerManager
    private let events: EventHub
    private let configuration: NodeConfiguration
    private let transfer: Transfer
    private let fetcher: MissingFetcher
    private let audit: CountAudit
    private let frames: ByteBudget
    private let sessionConfiguration: ReconciliationSession.Configuration
    private let now: @Sendable () -> Int64

    init(
        host: Libp2pHost,
        engine: SyncEngine,
        peers: PeerManager,
        events: EventHub,
        configuration: NodeConfiguration,
        transfer: Transfer,
        fetcher: MissingFetcher,
        audit: CountAudit,
        now: @escaping @Sendable () -> Int64
    ) {
        self.host = host
        self.engine = engine
        self.peers = peers
        self.events = events
        self.configuration = configuration
        self.transfer = transfer
        self.fetcher = fetcher
        self.audit = audit
        self.frames = ByteBudget("reconciliation frame", limit: configuration.limits.reconciliationBytes)
        self.sessionConfiguration = configuration.sessionConfiguration
        self.now = now
    }

    /// Runs one session as initiator with `peer` (periodic, forced or one-shot), then pushes what
    /// the peer lacks and waits for or fetches what we lack.
    ///
    /// - Returns: the session's end, or nil when it could not start (paused, busy).
    @discardableResult
    func initiate(with peer: PeerID) async -> SessionEnd? {
        guard !(await self.peers.isPaused(peer)) else { return nil }
        guard let id = await self.engine.openSession(with: peer, role: .initiator) else { return nil }
        let window = self.configuration.syncWindow(at: self.now())
        let theirCount = await self.audit.count(of: peer, window: window)
        var failure: String?
        do {
            let stream = try await self.host.openStream(to: peer, protocolID: Self.protocolID, timeout: .seconds(10))
            do {
                guard let first = await self.engine.start(id, window: window) else { throw NodeError("session gone") }
                try await stream.writeMessage(first)
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
            failure = WakuNode.describe(error)
        }
        let end = await self.conclude(id, failure: failure)
        if let end, let theirCount, end.outcome == .reconciled, end.weNeed == 0, end.theyNeed == 0 {
            await self.audit.compare(with: peer, window: window, theirs: theirCount)
        }
        return end
    }

    /// Serves a session a peer opened with us.
    func serve(_ stream: Libp2pStream) async throws {
        let peer = stream.peerID
        if await self.peers.isPaused(peer) {
            self.events.emit(.notice(Notice(.info, "refused a session: peer is paused", peerID: peer.description)))
            stream.reset()
            return
        }
        guard let id = await self.engine.openSession(with: peer, role: .responder) else {
            self.events.emit(
                .notice(Notice(.info, "refused a session: one is already running", peerID: peer.description))
            )
            stream.reset()
            return
        }
        var failure: String?
        do {
            failure = try await self.exchange(over: stream, session: id)
            await stream.close()
        } catch {
            stream.reset()
            failure = WakuNode.describe(error)
        }
        await self.conclude(id, failure: failure)
    }

    /// Reads payloads and writes replies until the session is over (PROTOCOLS.md §4.8).
    ///
    /// - Returns: nil when the session ended as the protocol says, else why it was abandoned.
    private func exchange(over stream: Libp2pStream, session id: SessionID) async throws -> String? {
        while true {
            var reserved = 0
            defer { self.frames.release(reserved) }
            let bytes: [UInt8]?
            do {
                bytes = try await stream.readMessage(
                    maxSize: self.configuration.limits.reconciliationFrame,
                    timeout: self.configuration.roundTimeout
                ) { length in
                    let bytes = self.configuration.limits.reconciliationReservation(forFrame: length)
                    try self.frames.reserve(bytes)
                    reserved = bytes
                }
            } catch let error as BudgetExceeded {
                return self.overLimit(error.description, peer: stream.peerID)
            }
            // nwaku closes without replying to a payload it cannot decode (§4.5).
            guard let bytes else { return "the peer closed the stream without a reply (an incompatible sync version?)" }
            let step: ReconciliationSession.Step
            do throws(SessionError) {
                let payload = try ReconciliationSession.decode(bytes, configuration: self.sessionConfiguration)
                step = try await self.engine.receive(payload, size: bytes.count, in: id)
            } catch {
                if error.code == .overLimit { return self.overLimit(error.description, peer: stream.peerID) }
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

    private func overLimit(_ detail: String, peer: PeerID) -> String {
        self.events.emit(
            .limitExceeded(LimitExceeded(limit: .reconciliation, peerID: peer.description, detail: detail))
        )
        return "session ended: \(detail)"
    }

    /// Ends a session in the engine and does what it left to do.
    @discardableResult
    private func conclude(_ id: SessionID, failure: String?) async -> SessionEnd? {
        guard let result = await self.engine.finish(id, failure: failure) else { return nil }
        let end = result.end
        let peer = result.peer
        await self.peers.change(peer) { snapshot in
            snapshot.lastSyncAt = end.endedAt
            snapshot.lastSyncOutcome = end.outcomeText
            if end.failed {
                snapshot.sessionsFailed += 1
            } else {
                snapshot.sessionsCompleted += 1
            }
            snapshot.differencesWeNeeded += end.weNeed
            snapshot.differencesTheyNeeded += end.theyNeed
        }
        if !result.theyNeed.isEmpty {
            await self.transfer.push(result.theyNeed.map(\.hash), to: peer)
        }
        if self.configuration.fetchMode == .store && !result.weNeed.isEmpty {
            await self.fetcher.fetch(from: peer, grace: .zero)
        }
        return end
    }
}

extension SessionEnd {
    /// One line for the peers pane.
    var outcomeText: String {
        switch self.outcome {
        case .reconciled: "reconciled"
        case .scopeMismatch: "scopes differ"
        case .failed(let reason): "failed: \(reason)"
        }
    }
}
