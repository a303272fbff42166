package import NodeEvents

extension MonitorState {
    /// Rows a page key moves.
    package static let pageLength = 10

    /// Applies an action to this node's view and returns the command it sends to the node, if any.
    ///
    /// Actions that belong to the whole monitor (help, quit, prompts, watching another node,
    /// confirming a disconnect, starting an audit) are handled by ``Dashboard``; here they change
    /// nothing.
    package mutating func apply(_ action: Action) -> NodeCommand? {
        if self.applyInAuditDrillDown(action) || self.applyInDrillDown(action) { return nil }
        switch action {
        case .forceSync:
            return self.selectedPeer.map { .forceSync(peerID: $0.peerID) }
        case .syncAll:
            return .forceSync(peerID: nil)
        case .togglePause:
            guard let peer = self.selectedPeer else { return nil }
            return peer.isPaused ? .unpause(peerID: peer.peerID) : .pause(peerID: peer.peerID)
        case .startResume:
            return .startResume
        case .publishTest:
            return .publishTest
        case .disconnect:
            return self.selectedPeer.map { .disconnect(peerID: $0.peerID) }
        case .drillDown where self.view.focus == .audit:
            self.openAuditDrillDown()
        case .drillDown:
            self.openDrillDown()
        case .back:
            self.view.drillDown = nil
        case .nextPane:
            self.view.focus = self.view.focus.next
        case .previousPane:
            self.view.focus = self.view.focus.previous
        case .moveUp: self.move(by: -1)
        case .moveDown: self.move(by: 1)
        case .pageUp: self.move(by: -Self.pageLength)
        case .pageDown: self.move(by: Self.pageLength)
        // Far enough to stop at the first or last row.
        case .top: self.move(by: -Int.max / 2)
        case .bottom: self.move(by: Int.max / 2)
        case .addPeer, .filterLog, .watchNode, .help, .quit, .audit:
            break
        }
        return nil
    }

    /// The session Enter opens from the focused pane, if any.
    package var drillDownTarget: SessionRecord? {
        switch self.view.focus {
        case .sessions: self.selectedSession
        case .peers, .missing: self.selectedPeer.flatMap { self.latestSession(with: $0.peerID) }
        case .resume, .archive, .relay, .log: self.selectedSession
        case .audit: nil
        }
    }

    /// Records a command the operator gave in the log; returns the line (without the peer, which
    /// the log shows in its own column).
    mutating func noteCommand(_ command: NodeCommand, at now: Int64) -> String {
        let text =
            switch command {
            case .forceSync(.some): "sync requested"
            case .forceSync(nil): "sync requested with every eligible peer"
            case .pause: "pause requested"
            case .unpause: "unpause requested"
            case .startResume: "resume requested"
            case .addPeer(let address): "dialling \(address)"
            case .disconnect: "disconnect requested"
            case .publishTest: "test message publish requested"
            case .audit(_, repair: false): "archive audit requested"
            case .audit(_, repair: true): "archive audit and repair requested"
            }
        self.appendLog(.info, .command, text, peerID: command.peerID, at: now)
        return text
    }

    private mutating func openDrillDown() {
        guard let target = self.drillDownTarget else { return }
        self.view.drillDown = target.id
        self.view.drillRound = nil
        self.view.drillScroll = 0
    }

    /// Keys inside the drill-down: rows pick a round, pages scroll its ranges, Enter/Esc close.
    /// Returns whether the action was one of those.
    private mutating func applyInDrillDown(_ action: Action) -> Bool {
        guard let id = self.view.drillDown else { return false }
        guard let session = self.session(id) else {
            self.view.drillDown = nil
            return false
        }
        let last = max(0, session.rounds.count - 1)
        let current = min(self.view.drillRound ?? last, last)
        let target: Int
        switch action {
        case .drillDown, .back:
            self.view.drillDown = nil
            return true
        case .pageUp:
            self.view.drillScroll = max(0, self.view.drillScroll - Self.pageLength)
            return true
        case .pageDown:
            self.view.drillScroll += Self.pageLength
            return true
        case .moveUp: target = max(0, current - 1)
        case .moveDown: target = min(last, current + 1)
        case .top: target = 0
        case .bottom: target = last
        default: return false
        }
        // On the last round of a live session, keep following new rounds.
        self.view.drillRound = target == last && session.isLive ? nil : target
        self.view.drillScroll = 0
        return true
    }

    private mutating func move(by step: Int) {
        switch self.view.focus {
        case .peers:
            self.view.selectedPeerID = Self.moved(in: self.peerOrder, from: self.selectedPeer?.peerID, by: step)
        case .missing:
            let selected = self.selectedPeer?.peerID
            self.view.selectedPeerID = Self.moved(in: self.transferPeers, from: selected, by: step) ?? selected
        case .sessions:
            let ids = self.sessionRows.map(\.id)
            self.view.selectedSessionID = Self.moved(in: ids, from: self.selectedSession?.id, by: step)
        case .log:
            // Up scrolls to older lines, as far as the oldest line at the top of the pane.
            let limit = max(0, self.log.lines(matching: self.view.logFilter).count - self.view.logRows)
            let scrolled = step < 0 ? self.view.logScroll + min(-step, limit) : self.view.logScroll - min(step, limit)
            self.view.logScroll = min(max(0, scrolled), limit)
        case .audit:
            self.moveAuditCursor(byHours: max(-1_000_000, min(1_000_000, step)) * AuditMap.hoursPerDay)
        case .resume, .archive, .relay:
            break
        }
    }

    private static func moved<ID: Equatable>(in ids: [ID], from current: ID?, by step: Int) -> ID? {
        guard !ids.isEmpty else { return current }
        let index = current.flatMap { ids.firstIndex(of: $0) } ?? 0
        let target = step < 0 ? max(0, index + max(step, -index)) : min(ids.count - 1, index + min(step, ids.count))
        return ids[target]
    }
}
