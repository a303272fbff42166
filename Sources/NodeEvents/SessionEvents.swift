/// Identifies one reconciliation session within a node's lifetime.
package struct SessionID: Hashable, Comparable, Sendable, CustomStringConvertible {
    package var value: UInt64

    package init(_ value: UInt64) {
        self.value = value
    }

    package static func < (lhs: SessionID, rhs: SessionID) -> Bool { lhs.value < rhs.value }

    package var description: String { "#\(self.value)" }
}

/// Which side of a session the node is.
package enum SessionRole: String, Sendable {
    /// We opened the stream and sent the first fingerprint.
    case initiator
    /// The peer did.
    case responder
}

/// A session began.
package struct SessionStart: Equatable, Sendable {
    package var id: SessionID
    package var peerID: String
    package var role: SessionRole
    /// The time window, nanoseconds (the responder learns it from the first payload; until then
    /// both are 0).
    package var windowStart: Int64
    package var windowEnd: Int64
    package var strategy: String
    /// Wall clock, nanoseconds.
    package var startedAt: Int64

    package init(
        id: SessionID,
        peerID: String,
        role: SessionRole,
        windowStart: Int64,
        windowEnd: Int64,
        strategy: String,
        startedAt: Int64
    ) {
        self.id = id
        self.peerID = peerID
        self.role = role
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.strategy = strategy
        self.startedAt = startedAt
    }
}

/// Ranges of one payload, counted by type.
package struct RangeTally: Equatable, Sendable {
    package var skip: Int
    package var fingerprint: Int
    package var itemSet: Int
    /// Items carried in item sets.
    package var items: Int

    package init(skip: Int = 0, fingerprint: Int = 0, itemSet: Int = 0, items: Int = 0) {
        self.skip = skip
        self.fingerprint = fingerprint
        self.itemSet = itemSet
        self.items = items
    }

    package var total: Int { self.skip + self.fingerprint + self.itemSet }
}

/// One range of a payload, for the drill-down view.
package struct RangeSummary: Equatable, Sendable {
    package enum Kind: String, Sendable {
        case skip
        case fingerprint
        case itemSet = "itemset"
    }

    /// Bounds' timestamps, nanoseconds.
    package var lower: Int64
    package var upper: Int64
    package var kind: Kind
    /// Items of an item set (0 otherwise).
    package var items: Int
    /// For an item set: whether it was marked reconciled.
    package var reconciled: Bool

    package init(lower: Int64, upper: Int64, kind: Kind, items: Int = 0, reconciled: Bool = false) {
        self.lower = lower
        self.upper = upper
        self.kind = kind
        self.items = items
        self.reconciled = reconciled
    }
}

/// One round of a session: a payload received and our reply.
package struct SessionRound: Equatable, Sendable {
    /// How many range summaries a round carries at most per direction; the tallies stay exact.
    package static let rangeSummaryLimit = 256

    package var id: SessionID
    package var peerID: String
    /// 1 for the first payload received.
    package var number: Int
    package var bytesReceived: Int
    package var bytesSent: Int
    package var received: RangeTally
    package var sent: RangeTally
    /// The first ranges of each payload (at most ``rangeSummaryLimit``).
    package var receivedRanges: [RangeSummary]
    package var sentRanges: [RangeSummary]
    /// Items compared in item sets, ours and theirs.
    package var itemsCompared: Int
    /// Differences this round found: items the peer lacks ...
    package var newTheyNeed: Int
    /// ... and items we lack.
    package var newWeNeed: Int

    package init(
        id: SessionID,
        peerID: String,
        number: Int,
        bytesReceived: Int,
        bytesSent: Int,
        received: RangeTally,
        sent: RangeTally,
        receivedRanges: [RangeSummary],
        sentRanges: [RangeSummary],
        itemsCompared: Int,
        newTheyNeed: Int,
        newWeNeed: Int
    ) {
        self.id = id
        self.peerID = peerID
        self.number = number
        self.bytesReceived = bytesReceived
        self.bytesSent = bytesSent
        self.received = received
        self.sent = sent
        self.receivedRanges = receivedRanges
        self.sentRanges = sentRanges
        self.itemsCompared = itemsCompared
        self.newTheyNeed = newTheyNeed
        self.newWeNeed = newWeNeed
    }
}

/// How a session ended.
package struct SessionEnd: Equatable, Sendable {
    /// Why it ended.
    package enum Outcome: Equatable, Sendable {
        /// Every range settled.
        case reconciled
        /// The topic scopes did not intersect.
        case scopeMismatch
        /// Abandoned: a decode error, a timeout, the peer left, a limit … with a readable reason.
        case failed(String)
    }

    package var id: SessionID
    package var peerID: String
    package var role: SessionRole
    package var outcome: Outcome
    package var rounds: Int
    package var bytesSent: Int
    package var bytesReceived: Int
    /// Items we lacked and items the peer lacked.
    package var weNeed: Int
    package var theyNeed: Int
    package var duration: Duration
    package var strategy: String
    /// Wall clock, nanoseconds.
    package var endedAt: Int64

    package init(
        id: SessionID,
        peerID: String,
        role: SessionRole,
        outcome: Outcome,
        rounds: Int,
        bytesSent: Int,
        bytesReceived: Int,
        weNeed: Int,
        theyNeed: Int,
        duration: Duration,
        strategy: String,
        endedAt: Int64
    ) {
        self.id = id
        self.peerID = peerID
        self.role = role
        self.outcome = outcome
        self.rounds = rounds
        self.bytesSent = bytesSent
        self.bytesReceived = bytesReceived
        self.weNeed = weNeed
        self.theyNeed = theyNeed
        self.duration = duration
        self.strategy = strategy
        self.endedAt = endedAt
    }

    package var succeeded: Bool { self.outcome != .scopeMismatch && !self.failed }

    package var failed: Bool {
        if case .failed = self.outcome { return true }
        return false
    }
}
