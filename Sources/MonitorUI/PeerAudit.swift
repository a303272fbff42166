package import NodeEvents

/// What the monitor knows about archive audits with one peer: the latest report and the audit
/// under way, if any.
///
/// One per peer, dropped with the peer. The report keeps its per-minute hashes only up to
/// ``MonitorState/auditHashLimit`` in all (the counts stay exact), and not the report-wide hash
/// lists, which repeat them: a long span that differs everywhere cannot fill the monitor's memory.
package struct PeerAudit: Equatable, Sendable {
    /// The last audit that finished, trimmed as above.
    package var report: AuditReport?
    /// When it finished (wall clock, nanoseconds).
    package var finishedAt: Int64?
    /// The audit under way, as last reported.
    package var progress: AuditProgress?

    /// Nothing audited, nothing running.
    package init() {}

    /// Whether an audit with the peer is under way.
    package var isRunning: Bool { self.progress != nil }
}

extension AuditReport {
    /// The report without its report-wide hash lists, and with at most `limit` hashes over its
    /// minutes' lists, earliest minutes first; every count stays as it was.
    func trimmed(keepingHashes limit: Int) -> AuditReport {
        var report = self
        report.missingHere = []
        report.missingThere = []
        var budget = limit
        for day in report.days.indices {
            for hour in report.days[day].hours.indices {
                Self.trim(&report.days[day].hours[hour].minutes, budget: &budget)
            }
        }
        return report
    }

    private static func trim(_ minutes: inout [AuditMinute], budget: inout Int) {
        for index in minutes.indices {
            let here = min(budget, minutes[index].missingHere.count)
            minutes[index].missingHere.removeSubrange(here...)
            budget -= here
            let there = min(budget, minutes[index].missingThere.count)
            minutes[index].missingThere.removeSubrange(there...)
            budget -= there
        }
    }

    /// Messages over the span on our side and on the peer's.
    var totals: (ours: Int64, theirs: Int64) {
        self.days.reduce((0, 0)) { ($0.0 + $1.ours, $0.1 + $1.theirs) }
    }
}
