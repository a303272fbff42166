package import NodeEvents

/// The whole monitor: one ``MonitorState`` per watched node (so switching is instant), which one is
/// shown, and what sits on top of it (help, a prompt, a question).
///
/// Pure like ``MonitorState``: the UI thread copies it under a lock, renders the copy, and feeds
/// keys to ``handle(_:at:)``, which returns the command to send, if any.
package struct Dashboard: Equatable, Sendable {
    /// How long a flash message stays in the footer.
    package static let flashDuration: Int64 = 4 * Format.nanosecondsPerSecond

    /// One node of the dashboard.
    package struct Node: Equatable, Sendable {
        /// The name the header and the node tabs show.
        package var name: String
        /// Everything known about the node.
        package var state: MonitorState
    }

    /// What covers the panes, if anything.
    package enum Overlay: Equatable, Sendable {
        case none
        case help
        case prompt(Prompt)
        case confirm(Confirmation)
    }

    /// A line of text the operator is typing in the footer.
    package struct Prompt: Equatable, Sendable {
        /// What the typed text is for.
        package enum Purpose: Equatable, Sendable {
            case addPeer
            /// Edits the log filter live; `previous` comes back on Esc.
            case logFilter(previous: String)
        }

        /// What the text is for.
        package var purpose: Purpose
        /// The text so far.
        package var text: String

        /// A prompt for `purpose` holding `text`.
        package init(purpose: Purpose, text: String) {
            self.purpose = purpose
            self.text = text
        }
    }

    /// A yes/no question in the footer.
    package enum Confirmation: Equatable, Sendable {
        case quit(liveSessions: Int)
        case disconnect(peerID: String)
        /// An audit that repairs: it writes to our archive and pushes to the peer.
        case auditRepair(peerID: String)
    }

    /// A short message in the footer after an action.
    package struct Flash: Equatable, Sendable {
        /// The message.
        package var text: String
        /// The peer it is about, shown by name or short ID after the text.
        package var peerID: String?
        /// Picks the colour role (the text says the same).
        package var severity: Notice.Severity
        /// When it was set, wall clock nanoseconds.
        package var time: Int64
    }

    /// The watched nodes, in the order `1`–`9` select them.
    package private(set) var nodes: [Node]
    /// The index of the node on screen.
    package private(set) var watched = 0
    /// What covers the panes.
    package private(set) var overlay = Overlay.none
    /// The last action's message; see ``flash(at:)``.
    package private(set) var flash: Flash?
    /// Set when the operator quit (confirmed where needed).
    package private(set) var isQuitRequested = false
    /// The terminal size last reported by ``resize(to:)``.
    package private(set) var screen = Size.minimum
    /// Where logs go while the monitor runs, for the help screen.
    package var logFile: String?

    /// A dashboard over nodes with these names (at least one).
    package init(nodeNames: [String]) {
        precondition(!nodeNames.isEmpty, "a dashboard watches at least one node")
        self.nodes = nodeNames.map { Node(name: $0, state: MonitorState()) }
    }

    /// The watched node's state.
    package var state: MonitorState { self.nodes[self.watched].state }

    /// Folds an event from node `index` into its state.
    package mutating func apply(_ event: NodeEvent, fromNode index: Int, at now: Int64) {
        guard self.nodes.indices.contains(index) else { return }
        self.nodes[index].state.apply(event, at: now)
    }

    /// Records the terminal size, which decides how many lines a log page holds.
    package mutating func resize(to size: Size) {
        self.screen = size
        let rows = Layout(size: size).logRows
        for index in self.nodes.indices { self.nodes[index].state.view.logRows = rows }
    }

    /// The demo names of peers that are nodes of this dashboard, by peer ID.
    package var aliases: [String: String] {
        var aliases: [String: String] = [:]
        for node in self.nodes {
            if let info = node.state.node { aliases[info.peerID] = node.name }
        }
        return aliases
    }

    /// Live sessions over all nodes: quitting asks first while any runs.
    package var liveSessionCount: Int { self.nodes.reduce(0) { $0 + $1.state.liveSessions.count } }

    /// The flash message still worth showing at `now`.
    package func flash(at now: Int64) -> Flash? {
        guard let flash = self.flash, now - flash.time < Self.flashDuration, now >= flash.time else { return nil }
        return flash
    }

    mutating func setFlash(_ text: String, _ severity: Notice.Severity = .info, peerID: String? = nil, at now: Int64) {
        self.flash = Flash(text: text, peerID: peerID, severity: severity, time: now)
    }

    mutating func setOverlay(_ overlay: Overlay) { self.overlay = overlay }

    mutating func requestQuit() { self.isQuitRequested = true }

    mutating func watch(node index: Int, at now: Int64) {
        guard self.nodes.indices.contains(index) else {
            self.setFlash("there is no node \(index + 1)", .warning, at: now)
            return
        }
        self.watched = index
        self.setFlash("watching \(self.nodes[index].name)", at: now)
    }

    mutating func updateWatched(_ body: (inout MonitorState) -> Void) { body(&self.nodes[self.watched].state) }
}
