package import NodeEvents

/// One line of the event log pane.
package struct LogEntry: Equatable, Sendable {
    /// What the line is about, shown as a short tag and matched by the filter.
    package enum Kind: String, Sendable {
        case node
        case peer
        case session
        case transfer
        case archive
        case resume
        case audit
        case notice
        /// A command the operator gave from the monitor.
        case command
    }

    /// Wall clock, nanoseconds.
    package var time: Int64
    /// Shown as a word and a colour role.
    package var severity: Notice.Severity
    /// What it is about.
    package var kind: Kind
    /// The peer it is about, if any.
    package var peerID: String?
    /// The line itself.
    package var text: String

    /// A log line.
    package init(time: Int64, severity: Notice.Severity, kind: Kind, peerID: String? = nil, text: String) {
        self.time = time
        self.severity = severity
        self.kind = kind
        self.peerID = peerID
        self.text = text
    }

    /// Whether the line contains `filter` (already lower-cased) in its text, kind, severity or peer.
    package func matches(lowercasedFilter filter: String) -> Bool {
        guard !filter.isEmpty else { return true }
        return self.text.lowercased().contains(filter) || self.kind.rawValue.contains(filter)
            || self.severity.rawValue.contains(filter) || (self.peerID?.lowercased().contains(filter) ?? false)
    }
}

/// The newest log lines, at most ``capacity``.
package struct EventLog: Equatable, Sendable {
    /// Lines kept.
    package static let capacity = 1000

    /// The kept lines, oldest first (briefly up to a quarter more than ``capacity``).
    package private(set) var entries: [LogEntry] = []
    /// Lines ever appended, including those dropped.
    package private(set) var appended = 0
    /// Warnings and errors ever appended.
    package private(set) var problems = 0

    /// An empty log.
    package init() {}

    mutating func append(_ entry: LogEntry) {
        self.entries.append(entry)
        self.appended += 1
        if entry.severity >= .warning { self.problems += 1 }
        // Trim in chunks so appending stays amortised O(1).
        if self.entries.count > Self.capacity + Self.capacity / 4 {
            self.entries.removeFirst(self.entries.count - Self.capacity)
        }
    }

    /// The kept lines (newest last) that match `filter` (case-insensitive).
    package func lines(matching filter: String) -> [LogEntry] {
        let kept = self.entries.suffix(Self.capacity)
        guard !filter.isEmpty else { return Array(kept) }
        let lowered = filter.lowercased()
        return kept.filter { $0.matches(lowercasedFilter: lowered) }
    }
}
