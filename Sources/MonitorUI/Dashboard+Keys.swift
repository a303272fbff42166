internal import NodeEvents

extension Dashboard {
    /// Longest text a prompt accepts (a multiaddr with a peer ID is about 90 characters).
    static let promptLimit = 300

    /// Handles one key press: answers the overlay if one is open, else looks the key up in the
    /// ``KeyTable``. Returns the command to send, if the key asked for one.
    package mutating func handle(_ key: Key, at now: Int64) -> AddressedCommand? {
        switch self.overlay {
        case .help:
            // Any key closes the help screen.
            self.setOverlay(.none)
            return nil
        case .prompt(let prompt):
            return self.edit(prompt, with: key, at: now)
        case .confirm(let question):
            return self.answer(question, with: key, at: now)
        case .none:
            break
        }
        guard let binding = KeyTable.binding(for: key) else { return nil }
        if binding.action == .watchNode, let digit = key.digit {
            self.watch(node: digit - 1, at: now)
            return nil
        }
        if binding.action == .audit {
            return self.requestAudit(repair: key == KeyTable.repairKey, at: now)
        }
        // The arrows that switch panes move the Audit map's hour cursor instead while a map has
        // the focus (Tab and Shift-Tab still leave it): the help screen at 80×24 has no row to
        // spare for keys of their own.
        let showsMap = self.state.view.focus == .audit && self.state.selectedAuditMap != nil
        if key == .left || key == .right, self.state.view.drillDown == nil,
            showsMap || self.state.view.auditDrillDown != nil
        {
            self.updateWatched { $0.stepAuditHour(by: key == .left ? -1 : 1) }
            return nil
        }
        return self.apply(binding.action, at: now)
    }

    /// Applies an action to the watched node and the monitor; returns the command to send, if any.
    package mutating func apply(_ action: Action, at now: Int64) -> AddressedCommand? {
        switch action {
        case .help:
            self.setOverlay(.help)
        case .quit:
            let live = self.liveSessionCount
            if live > 0 { self.setOverlay(.confirm(.quit(liveSessions: live))) } else { self.requestQuit() }
        case .addPeer:
            self.setOverlay(.prompt(Prompt(purpose: .addPeer, text: "")))
        case .filterLog:
            let current = self.state.view.logFilter
            self.updateWatched { $0.view.focus = .log }
            self.setOverlay(.prompt(Prompt(purpose: .logFilter(previous: current), text: current)))
        case .disconnect:
            guard let peer = self.state.selectedPeer else {
                self.setFlash("no peer to disconnect", .warning, at: now)
                return nil
            }
            self.setOverlay(.confirm(.disconnect(peerID: peer.peerID)))
        case .publishTest:
            guard self.state.runsRelay else {
                self.setFlash("relay is off on this node (start it with --relay)", .warning, at: now)
                return nil
            }
            return self.send(.publishTest, at: now)
        case .audit:
            return self.requestAudit(repair: false, at: now)
        case .watchNode:
            self.watch(node: (self.watched + 1) % self.nodes.count, at: now)
        case .back
        where self.state.view.drillDown == nil && self.state.view.auditDrillDown == nil
            && !self.state.view.logFilter.isEmpty:
            self.updateWatched {
                $0.view.logFilter = ""
                $0.view.logScroll = 0
            }
            self.setFlash("log filter cleared", at: now)
        case .forceSync, .togglePause, .drillDown, .back, .nextPane, .previousPane, .moveUp, .moveDown, .pageUp,
            .pageDown, .top, .bottom, .syncAll, .startResume:
            let wasInDrillDown = self.state.view.drillDown != nil || self.state.view.auditDrillDown != nil
            var command: NodeCommand?
            self.updateWatched { command = $0.apply(action) }
            if let command { return self.send(command, at: now) }
            if action == .forceSync || action == .togglePause {
                self.setFlash("no peer selected", .warning, at: now)
            } else if action == .drillDown && !wasInDrillDown && self.state.view.drillDown == nil
                && self.state.view.auditDrillDown == nil
            {
                let text =
                    self.state.view.focus == .audit
                    ? "no audit of this peer yet: \(Self.keyName(.audit)) starts one" : "no session to open yet"
                self.setFlash(text, .warning, at: now)
            }
        }
        return nil
    }

    /// Audits the selected peer at once, or asks first when the audit repairs.
    private mutating func requestAudit(repair: Bool, at now: Int64) -> AddressedCommand? {
        guard let peer = self.state.selectedPeer else {
            self.setFlash("no peer to audit", .warning, at: now)
            return nil
        }
        guard !repair else {
            self.setOverlay(.confirm(.auditRepair(peerID: peer.peerID)))
            return nil
        }
        return self.send(.audit(peerID: peer.peerID, repair: false), at: now)
    }

    /// The first key of an action, for messages that name it.
    static func keyName(_ action: Action) -> String {
        KeyTable.binding(for: action)?.keys.first?.name(.ascii) ?? "?"
    }

    private mutating func send(_ command: NodeCommand, at now: Int64) -> AddressedCommand {
        var text = ""
        self.updateWatched { text = $0.noteCommand(command, at: now) }
        self.setFlash(text, peerID: command.peerID, at: now)
        return AddressedCommand(node: self.watched, command: command)
    }

    private mutating func edit(_ prompt: Prompt, with key: Key, at now: Int64) -> AddressedCommand? {
        var prompt = prompt
        switch key {
        case .character(let character):
            guard prompt.text.count < Self.promptLimit else { return nil }
            prompt.text.append(character)
        case .backspace:
            guard !prompt.text.isEmpty else { return nil }
            prompt.text.removeLast()
        case .enter:
            return self.submit(prompt, at: now)
        case .escape:
            if case .logFilter(let previous) = prompt.purpose {
                // Esc clears the filter when nothing was set before, else restores the old one.
                let restored = previous == prompt.text ? "" : previous
                self.updateWatched { $0.view.logFilter = restored }
            }
            self.setOverlay(.none)
            return nil
        default:
            return nil
        }
        if case .logFilter = prompt.purpose {
            self.updateWatched {
                $0.view.logFilter = prompt.text
                $0.view.logScroll = 0
            }
        }
        self.setOverlay(.prompt(prompt))
        return nil
    }

    private mutating func submit(_ prompt: Prompt, at now: Int64) -> AddressedCommand? {
        switch prompt.purpose {
        case .logFilter:
            self.setOverlay(.none)
            return nil
        case .addPeer:
            let address = prompt.text.trimmingSpaces
            if address.isEmpty {
                self.setOverlay(.none)
                return nil
            }
            guard address.hasPrefix("/") else {
                self.setFlash("a multiaddr starts with /, e.g. /ip4/127.0.0.1/tcp/60000/p2p/16U…", .warning, at: now)
                return nil
            }
            self.setOverlay(.none)
            return self.send(.addPeer(multiaddr: address), at: now)
        }
    }

    private mutating func answer(_ question: Confirmation, with key: Key, at now: Int64) -> AddressedCommand? {
        self.setOverlay(.none)
        let yes: Bool
        switch key {
        case .character("y"), .character("Y"), .enter: yes = true
        case .character("q"):
            // q q quits: the second q answers the question the first one asked.
            if case .quit = question { yes = true } else { yes = false }
        default: yes = false
        }
        guard yes else {
            self.setFlash("cancelled", at: now)
            return nil
        }
        switch question {
        case .quit:
            self.requestQuit()
            return nil
        case .disconnect(let peerID):
            return self.send(.disconnect(peerID: peerID), at: now)
        case .auditRepair(let peerID):
            return self.send(.audit(peerID: peerID, repair: true), at: now)
        }
    }
}

extension NodeCommand {
    /// The peer a command is about, if any.
    var peerID: String? {
        switch self {
        case .forceSync(let peerID): peerID
        case .pause(let peerID), .unpause(let peerID), .disconnect(let peerID), .audit(let peerID, _): peerID
        case .startResume, .addPeer, .publishTest: nil
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var scalars = Substring(self)
        while scalars.first?.isWhitespace == true { scalars.removeFirst() }
        while scalars.last?.isWhitespace == true { scalars.removeLast() }
        return String(scalars)
    }
}
