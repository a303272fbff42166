internal import NodeEvents
internal import WakuCore
internal import WakuSync

/// The differences an audit found, minute by minute, until they go into the report.
struct AuditFindings {
    /// Messages the peer holds and we lack, by minute and hash prefix (the audit protocol names
    /// them so), or by full hash (Store queries do).
    private(set) var missingHere: [AuditPrefixKey] = []
    private(set) var missingHereHashes: [MessageHash] = []
    /// Our messages the peer lacks.
    private(set) var missingThere: [MessageHash] = []
    private var minutes: [Int64: AuditMinute] = [:]
    /// Whether a differing minute was left out of `minutes` (past ``minuteLimit``).
    private var truncated = false

    /// Minutes kept with their hashes for the report (the counts stay exact past it).
    static let minuteLimit = 10_000

    var missingHereCount: Int { self.missingHere.count + self.missingHereHashes.count }
    var isOverLimit: Bool {
        self.missingHereCount > AuditPlan.maxDifferences || self.missingThere.count > AuditPlan.maxDifferences
    }

    /// Records one minute's differences; `weLack` by prefix.
    mutating func record(minute: Int64, ours: Int64, theirs: Int64, theyLack: [MessageHash], weLack: [UInt64]) {
        self.missingHere += weLack.map { AuditPrefixKey(minute: minute, prefix: $0) }
        self.missingThere += theyLack
        self.detail(minute, ours, theirs, here: weLack.map(Self.hex), there: theyLack)
    }

    /// Records one minute's differences; `weLack` by full hash.
    mutating func record(minute: Int64, ours: Int64, theirs: Int64, theyLack: [MessageHash], weLack: [MessageHash]) {
        self.missingHereHashes += weLack
        self.missingThere += theyLack
        self.detail(minute, ours, theirs, here: weLack.map(\.description), there: theyLack)
    }

    /// Puts the findings into `report`: the totals, the first hashes, and each differing minute
    /// under its hour.
    func apply(to report: inout AuditReport) {
        report.missingHereCount = self.missingHereCount
        report.missingThereCount = self.missingThere.count
        let here = self.missingHere.lazy.map { Self.hex($0.prefix) } + self.missingHereHashes.lazy.map(\.description)
        report.missingHere = Array(here.prefix(AuditReport.hashListLimit))
        report.missingThere = self.missingThere.prefix(AuditReport.hashListLimit).map(\.description)
        for dayIndex in report.days.indices {
            for hourIndex in report.days[dayIndex].hours.indices {
                let hour = report.days[dayIndex].hours[hourIndex].start
                report.days[dayIndex].hours[hourIndex].minutes =
                    AuditLevel.hour.childStarts(of: hour).compactMap { self.minutes[$0] }
            }
        }
    }

    /// Once every differing minute was compared hash by hash: an hour or day whose buckets
    /// differed only through messages outside the span (a bucket straddling one of its edges)
    /// agrees for the span audited. Left as the buckets said when minutes were left out.
    func settleAgreement(in report: inout AuditReport) {
        guard !self.truncated else { return }
        for day in report.days.indices where !report.days[day].agrees {
            for hour in report.days[day].hours.indices {
                report.days[day].hours[hour].agrees = report.days[day].hours[hour].minutes.isEmpty
            }
            report.days[day].agrees = report.days[day].hours.allSatisfy(\.agrees)
        }
    }

    private mutating func detail(_ minute: Int64, _ ours: Int64, _ theirs: Int64, here: [String], there: [MessageHash])
    {
        guard !here.isEmpty || !there.isEmpty else { return }
        guard self.minutes[minute] != nil || self.minutes.count < Self.minuteLimit else {
            self.truncated = true
            return
        }
        var entry = self.minutes[minute] ?? AuditMinute(start: minute, ours: ours, theirs: theirs)
        entry.missingHereCount += here.count
        entry.missingThereCount += there.count
        entry.missingHere += here.prefix(max(0, AuditMinute.hashListLimit - entry.missingHere.count))
        entry.missingThere += there.prefix(max(0, AuditMinute.hashListLimit - entry.missingThere.count)).map(
            \.description
        )
        self.minutes[minute] = entry
    }

    /// A prefix as 16 hex digits and an ellipsis: the hash's start, all the audit names it by.
    static func hex(_ prefix: UInt64) -> String {
        let digits = String(prefix, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits + "…"
    }
}

extension AuditLevel {
    /// The starts of the finer buckets inside the bucket starting at `start`.
    func childStarts(of start: Int64) -> [Int64] {
        guard let finer, let count = self.childCount else { return [] }
        return (0..<count).map { start + Int64($0) * finer.nanoseconds }
    }
}
