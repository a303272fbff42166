package import MonitorUI
package import NodeEvents

extension MonitorFixtures {
    /// Nanoseconds in an hour and in a day.
    package static let hour: Int64 = 3_600 * second
    package static let day: Int64 = 24 * hour

    /// The busy dashboard after an audit of node-2 over the last two days: the first day agrees,
    /// the second differs in three hours (by 4, 23 and 140 hashes), today in one (by 4).
    package static func auditDashboard() -> Dashboard {
        var dashboard = Self.busyDashboard()
        dashboard.apply(.auditFinished(Self.auditReport()), fromNode: 0, at: Self.now - 3 * Self.second)
        return dashboard
    }

    /// ``auditDashboard()`` with a second audit of node-2 under way.
    package static func auditRunningDashboard() -> Dashboard {
        var dashboard = Self.auditDashboard()
        let progress = AuditProgress(
            peerID: Self.peerIDs[1],
            phase: .hours,
            done: 31,
            total: 72,
            roundTrips: 12,
            bytes: 9_800
        )
        dashboard.apply(.auditProgress(progress), fromNode: 0, at: Self.now - Self.second)
        return dashboard
    }

    /// Node 1's archive against node-2's from two days before ``now`` (2025-06-13 15:06:40 UTC)
    /// to ``now``: 138 hashes missing here, 33 there, in eight minutes.
    package static func auditReport() -> AuditReport {
        let today = Self.now - Self.now % Self.day
        var report = AuditReport(
            peerID: Self.peerIDs[1],
            method: .buckets,
            from: Self.now - 2 * Self.day,
            to: Self.now,
            pubsubTopics: []
        )
        let yesterday = today - Self.day
        report.days = [
            AuditDay(start: yesterday - Self.day, ours: 4_120, theirs: 4_120, agrees: true),
            AuditDay(
                start: yesterday,
                ours: 16_070,
                theirs: 16_173,
                agrees: false,
                hours: Self.hours(
                    from: yesterday,
                    differing: [
                        3: (640, 642, [(17, 10, 12, 3, 1)]),
                        9: (700, 701, [(2, 2, 14, 12, 0), (41, 13, 2, 0, 11)]),
                        17: (650, 750, [(5, 0, 60, 60, 0), (6, 0, 60, 60, 0), (30, 20, 0, 0, 20)]),
                    ]
                )
            ),
            AuditDay(
                start: today,
                ours: 10_500,
                theirs: 10_502,
                agrees: false,
                hours: Self.hours(from: today, differing: [13: (420, 422, [(7, 5, 7, 2, 0), (52, 8, 8, 1, 1)])])
            ),
        ]
        let minutes = report.days.flatMap(\.hours).flatMap(\.minutes)
        report.missingHere = minutes.flatMap(\.missingHere)
        report.missingThere = minutes.flatMap(\.missingThere)
        report.missingHereCount = minutes.reduce(0) { $0 + $1.missingHereCount }
        report.missingThereCount = minutes.reduce(0) { $0 + $1.missingThereCount }
        report.roundTrips = 37
        report.bytesSent = 12_345
        report.bytesReceived = 48_123
        report.durationNanoseconds = 2_300_000_000
        report.outcome = .differences
        return report
    }

    /// A differing day's 24 hours: those in `differing` with their counts and minutes (minute,
    /// ours, theirs, missing here, missing there; hashes listed up to the event's limit), the
    /// others agreeing on 660 messages.
    static func hours(
        from day: Int64,
        differing: [Int: (ours: Int64, theirs: Int64, minutes: [(Int64, Int64, Int64, Int, Int)])]
    ) -> [AuditHour] {
        (0..<24).map { index in
            let start = day + Int64(index) * Self.hour
            guard let hour = differing[index] else {
                return AuditHour(start: start, ours: 660, theirs: 660, agrees: true)
            }
            let minutes = hour.minutes.map { minute, ours, theirs, here, there in
                var audited = AuditMinute(start: start + minute * 60 * Self.second, ours: ours, theirs: theirs)
                let seed = index * 10_000 + Int(minute) * 100
                audited.missingHereCount = here
                audited.missingHere = (0..<min(here, AuditMinute.hashListLimit)).map { Self.hex(seed: seed + $0) }
                audited.missingThereCount = there
                audited.missingThere = (0..<min(there, AuditMinute.hashListLimit)).map {
                    Self.hex(seed: seed + 50 + $0)
                }
                return audited
            }
            return AuditHour(start: start, ours: hour.ours, theirs: hour.theirs, agrees: false, minutes: minutes)
        }
    }
}
