package import NodeEvents

/// A reconciliation session as the monitor keeps it: live or finished, with its latest rounds.
///
/// Built from ``SessionStart``, ``SessionRound`` and ``SessionEnd``; any of them may be missing
/// because the event stream drops the oldest events when the screen falls behind, so every field
/// has a sensible value without the others.
package struct SessionRecord: Equatable, Sendable, Identifiable {
    /// Rounds kept per session (the latest ones); the totals still count every round.
    package static let roundLimit = 40

    /// The session within the node's lifetime.
    package let id: SessionID
    /// The peer on the other side.
    package var peerID: String
    /// Nil when the start event was lost.
    package var role: SessionRole?
    /// `balanced` or `nwaku`; nil when the start event was lost.
    package var strategy: String?
    /// The time window, nanoseconds (0 while the responder has not learnt it).
    package var windowStart: Int64
    package var windowEnd: Int64
    /// Wall clock, nanoseconds (when the monitor first heard of it if the start was lost).
    package var startedAt: Int64
    /// The latest rounds, oldest first (at most ``roundLimit``).
    package private(set) var rounds: [SessionRound]
    /// Rounds seen, including those no longer kept.
    package private(set) var roundCount: Int
    /// Payload bytes received, summed over rounds (the end event's figure once ended).
    package private(set) var bytesReceived: Int
    /// Payload bytes sent, likewise.
    package private(set) var bytesSent: Int
    /// Items compared in item sets, summed over rounds.
    package private(set) var itemsCompared: Int
    /// Differences found so far: items we lack and items the peer lacks.
    package private(set) var weNeed: Int
    package private(set) var theyNeed: Int
    /// Set once the session ended.
    package private(set) var end: SessionEnd?

    /// A live record for a session that just started.
    package init(_ start: SessionStart) {
        self.init(id: start.id, peerID: start.peerID, startedAt: start.startedAt)
        self.role = start.role
        self.strategy = start.strategy
        self.windowStart = start.windowStart
        self.windowEnd = start.windowEnd
    }

    /// A record for a session whose start event was lost.
    package init(id: SessionID, peerID: String, startedAt: Int64) {
        self.id = id
        self.peerID = peerID
        self.role = nil
        self.strategy = nil
        self.windowStart = 0
        self.windowEnd = 0
        self.startedAt = startedAt
        self.rounds = []
        self.roundCount = 0
        self.bytesReceived = 0
        self.bytesSent = 0
        self.itemsCompared = 0
        self.weNeed = 0
        self.theyNeed = 0
        self.end = nil
    }

    /// Whether the session is still running.
    package var isLive: Bool { self.end == nil }

    /// How long it ran (finished) or has been running (live).
    package func duration(at now: Int64) -> Duration {
        if let end = self.end { return end.duration }
        return .nanoseconds(max(0, now - self.startedAt))
    }

    mutating func record(_ round: SessionRound) {
        self.rounds.append(round)
        if self.rounds.count > Self.roundLimit { self.rounds.removeFirst(self.rounds.count - Self.roundLimit) }
        self.roundCount = max(self.roundCount + 1, round.number)
        self.bytesReceived += round.bytesReceived
        self.bytesSent += round.bytesSent
        self.itemsCompared += round.itemsCompared
        self.weNeed += round.newWeNeed
        self.theyNeed += round.newTheyNeed
    }

    /// The end event's totals are authoritative: they count rounds whose events were dropped.
    mutating func finish(_ end: SessionEnd) {
        self.end = end
        self.role = end.role
        self.strategy = end.strategy
        self.roundCount = max(self.roundCount, end.rounds)
        self.bytesReceived = end.bytesReceived
        self.bytesSent = end.bytesSent
        self.weNeed = end.weNeed
        self.theyNeed = end.theyNeed
    }

    /// Drops the per-range summaries, keeping the tallies: older finished sessions keep only what
    /// the rounds table shows, which bounds memory.
    mutating func dropRangeSummaries() {
        for index in self.rounds.indices
        where !self.rounds[index].receivedRanges.isEmpty
            || !self.rounds[index].sentRanges.isEmpty
        {
            self.rounds[index].receivedRanges = []
            self.rounds[index].sentRanges = []
        }
    }
}
