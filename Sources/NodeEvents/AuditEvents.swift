/// An archive audit with one peer, finished (PROTOCOLS.md §12): how the two archives compare
/// over a span, day by day and hour by hour, the minutes that differ with the hashes each side
/// lacks, and what a repair moved.
///
/// The same value is the `wakusync audit` report (table or JSON), the monitor's Audit view and a
/// headless log line.
package struct AuditReport: Equatable, Sendable {
    /// How the audit ended.
    package enum Outcome: String, Sendable, CaseIterable {
        /// Both archives hold the same messages over the span.
        case consistent
        /// They differ (the report says where); no repair was asked for.
        case differences
        /// They differed, and every difference we could move was moved (the peer's refusals are
        /// counted in the repair).
        case repaired
        /// The audit stopped early (a budget, a limit, the peer); what it saw is in the report.
        case incomplete
        /// The peer speaks neither the audit protocol nor Store v3.
        case notSupported = "not_supported"
        /// The audit could not start or failed at once (no connection, an archive error).
        case failed
    }

    /// How the peer was compared.
    package enum Method: String, Sendable {
        /// The wakusync audit protocol: bucket fingerprints, top-down.
        case buckets
        /// Store v3 hash-only queries, bucket by bucket (nwaku and other Store servers).
        case store
    }

    package var peerID: String
    package var method: Method
    /// The span audited, `from..<to`, nanoseconds since the Unix epoch.
    package var from: Int64
    package var to: Int64
    /// The pubsub topics compared; empty means every topic.
    package var pubsubTopics: [String]
    /// Every day of the span, ascending (those with no message on either side too).
    package var days: [AuditDay]
    /// Hashes (hex) the peer holds and we lack, and we hold and the peer lacks: the first
    /// ``hashListLimit`` of each; the totals are exact.
    package var missingHere: [String]
    package var missingThere: [String]
    package var missingHereCount: Int
    package var missingThereCount: Int
    /// Request-response exchanges with the peer, and bytes each way (frames and messages).
    package var roundTrips: Int
    package var bytesSent: Int
    package var bytesReceived: Int
    package var durationNanoseconds: Int64
    /// What the repair moved, nil when no repair was asked for.
    package var repair: AuditRepair?
    package var outcome: Outcome
    /// Why the audit was incomplete, not supported or failed.
    package var detail: String?

    /// At most this many hashes in each of ``missingHere`` and ``missingThere``.
    package static let hashListLimit = 1_000

    package init(peerID: String, method: Method, from: Int64, to: Int64, pubsubTopics: [String]) {
        self.peerID = peerID
        self.method = method
        self.from = from
        self.to = to
        self.pubsubTopics = pubsubTopics
        self.days = []
        self.missingHere = []
        self.missingThere = []
        self.missingHereCount = 0
        self.missingThereCount = 0
        self.roundTrips = 0
        self.bytesSent = 0
        self.bytesReceived = 0
        self.durationNanoseconds = 0
        self.repair = nil
        self.outcome = .consistent
        self.detail = nil
    }

    /// Whether the archives agree over the span (or were made to).
    package var isConsistent: Bool { self.outcome == .consistent || self.outcome == .repaired }
}

/// One UTC day of an audit.
package struct AuditDay: Equatable, Sendable {
    package var start: Int64
    /// Messages each side holds that day (on the topics compared).
    package var ours: Int64
    package var theirs: Int64
    /// Whether the day's fingerprints agree.
    package var agrees: Bool
    /// The day's 24 hours when the day differs, empty when it agrees.
    package var hours: [AuditHour]

    package init(start: Int64, ours: Int64, theirs: Int64, agrees: Bool, hours: [AuditHour] = []) {
        self.start = start
        self.ours = ours
        self.theirs = theirs
        self.agrees = agrees
        self.hours = hours
    }
}

/// One hour of a differing day.
package struct AuditHour: Equatable, Sendable {
    package var start: Int64
    package var ours: Int64
    package var theirs: Int64
    package var agrees: Bool
    /// The hour's minutes that differ (those that agree are left out).
    package var minutes: [AuditMinute]

    package init(start: Int64, ours: Int64, theirs: Int64, agrees: Bool, minutes: [AuditMinute] = []) {
        self.start = start
        self.ours = ours
        self.theirs = theirs
        self.agrees = agrees
        self.minutes = minutes
    }

    /// Hashes lacking on either side in this hour.
    package var differences: Int { self.minutes.reduce(0) { $0 + $1.missingHereCount + $1.missingThereCount } }
}

/// One minute that differs, with the hashes each side lacks there.
package struct AuditMinute: Equatable, Sendable {
    package var start: Int64
    package var ours: Int64
    package var theirs: Int64
    /// Hex hashes the peer holds and we lack (the first few), and the exact count.
    package var missingHere: [String]
    package var missingHereCount: Int
    /// Hex hashes we hold and the peer lacks (the first few), and the exact count.
    package var missingThere: [String]
    package var missingThereCount: Int

    /// At most this many hashes listed per side and minute.
    package static let hashListLimit = 16

    package init(start: Int64, ours: Int64, theirs: Int64) {
        self.start = start
        self.ours = ours
        self.theirs = theirs
        self.missingHere = []
        self.missingHereCount = 0
        self.missingThere = []
        self.missingThereCount = 0
    }
}

/// What an audit's repair moved.
package struct AuditRepair: Equatable, Sendable {
    /// Messages fetched from the peer, and how many of them we stored (the rest failed our
    /// acceptance rule or were already stored by then).
    package var fetched = 0
    package var stored = 0
    /// Messages we sent the peer, and how many it says it stored.
    package var pushed = 0
    package var acceptedByPeer = 0
    /// Hashes we lacked that the peer did not deliver (it could not or would not).
    package var unavailable = 0
    /// Hashes the peer lacks that we could not send (no transfer stream to it, or no longer in
    /// our archive).
    package var notPushed = 0

    package init() {}
}

/// An audit under way, about every round trip.
package struct AuditProgress: Equatable, Sendable {
    /// What the audit is doing now.
    package enum Phase: String, Sendable, CaseIterable {
        case days
        case hours
        case minutes
        case hashes
        case fetching
        case pushing
    }

    package var peerID: String
    package var phase: Phase
    /// Units of this phase done and to do (buckets, queries or messages).
    package var done: Int
    package var total: Int
    package var roundTrips: Int
    package var bytes: Int

    package init(peerID: String, phase: Phase, done: Int, total: Int, roundTrips: Int, bytes: Int) {
        self.peerID = peerID
        self.phase = phase
        self.done = done
        self.total = total
        self.roundTrips = roundTrips
        self.bytes = bytes
    }
}
