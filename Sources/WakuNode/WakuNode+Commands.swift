internal import Libp2p
internal import NodeEvents
internal import WakuCore

extension WakuNode {
    /// Carries out an observer's command. Peer IDs arrive as text and are parsed here, once; a
    /// command naming no valid peer says so in the event log.
    func handle(_ command: NodeCommand) async {
        switch command {
        case .forceSync(let text?):
            guard let peer = self.parsePeer(text, for: "sync") else { return }
            if await self.reconciliation.initiate(with: peer) == nil {
                self.events.emit(
                    .notice(Notice(.info, "sync not started: the peer is paused, busy or unknown", peerID: text))
                )
            }
        case .forceSync(nil):
            for peer in await self.peers.syncCandidates(busy: await self.engine.busyPeers) {
                self.workSink.yield(.sync(peer))
            }
        case .pause(let text):
            guard let peer = self.parsePeer(text, for: "pause") else { return }
            await self.peers.change(peer) { $0.isPaused = true }
        case .unpause(let text):
            guard let peer = self.parsePeer(text, for: "unpause") else { return }
            await self.peers.change(peer) { $0.isPaused = false }
        case .startResume:
            await self.runResume(waitingForPeers: false)
        case .addPeer(let text):
            do {
                let address = try Multiaddr(parsing: text)
                await self.peers.addStatic(address)
                await self.dialStatic(address)
            } catch {
                self.events.emit(.notice(Notice(.warning, "cannot add peer '\(text)': \(Self.describe(error))")))
            }
        case .disconnect(let text):
            guard let peer = self.parsePeer(text, for: "disconnect") else { return }
            await self.host.disconnect(peer)
        case .publishTest:
            await self.publishTest()
        case .audit(let text, let repair):
            guard let peer = self.parsePeer(text, for: "audit") else { return }
            // Off the command loop: an audit of a long span takes a while.
            Task { _ = await self.archiveAudit.run(with: peer, plan: AuditPlan(repair: repair)) }
        }
    }

    /// Dials a static peer's address and records the outcome.
    func dialStatic(_ address: Multiaddr) async {
        do {
            let peer = try await self.host.dial(address, timeout: .seconds(10))
            // Static peers keep a connection slot even when strangers fill the rest.
            self.host.protect(peer)
            await self.peers.dialSucceeded(address, peer: peer)
        } catch {
            await self.peers.dialFailed(address, error: Self.describe(error), at: self.now())
        }
    }

    private func parsePeer(_ text: String, for action: String) -> PeerID? {
        do {
            return try PeerID(parsing: text)
        } catch {
            self.events.emit(.notice(Notice(.warning, "cannot \(action) '\(text)': not a peer ID (\(error.detail))")))
            return nil
        }
    }
}
