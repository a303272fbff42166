internal import Foundation
internal import NodeEvents

/// `wakusync audit`'s report as a table for people and as JSON (README.md, "wakusync audit").
enum AuditOutput {
    /// The JSON value: every day, its hours when it differs, their differing minutes.
    static func json(_ report: AuditReport) -> [String: Any] {
        var object: [String: Any] = [
            "peer": report.peerID,
            "method": report.method.rawValue,
            "outcome": report.outcome.rawValue,
            "consistent": report.isConsistent,
            "from": report.from,
            "to": report.to,
            "pubsubTopics": report.pubsubTopics,
            "missingHere": report.missingHereCount,
            "missingThere": report.missingThereCount,
            "missingHereHashes": report.missingHere,
            "missingThereHashes": report.missingThere,
            "roundTrips": report.roundTrips,
            "bytesSent": report.bytesSent,
            "bytesReceived": report.bytesReceived,
            "durationMs": Double(report.durationNanoseconds) / 1e6,
            "days": report.days.map(Self.json),
        ]
        if let detail = report.detail { object["detail"] = detail }
        if let repair = report.repair {
            object["repair"] =
                [
                    "fetched": repair.fetched, "stored": repair.stored, "pushed": repair.pushed,
                    "acceptedByPeer": repair.acceptedByPeer, "unavailable": repair.unavailable,
                    "notPushed": repair.notPushed,
                ] as [String: Any]
        }
        return object
    }

    private static func json(_ day: AuditDay) -> [String: Any] {
        [
            "start": day.start, "date": Self.date(day.start), "ours": day.ours, "theirs": day.theirs,
            "agrees": day.agrees,
            "hours": day.hours.map { hour -> [String: Any] in
                [
                    "start": hour.start, "ours": hour.ours, "theirs": hour.theirs, "agrees": hour.agrees,
                    "minutes": hour.minutes.map { minute -> [String: Any] in
                        [
                            "start": minute.start, "ours": minute.ours, "theirs": minute.theirs,
                            "missingHere": minute.missingHereCount, "missingThere": minute.missingThereCount,
                            "missingHereHashes": minute.missingHere, "missingThereHashes": minute.missingThere,
                        ]
                    },
                ]
            },
        ]
    }

    /// The table: a line per day, a line per differing hour under it, then the totals.
    static func table(_ report: AuditReport) -> String {
        let topics = report.pubsubTopics.isEmpty ? "every pubsub topic" : report.pubsubTopics.joined(separator: ", ")
        var lines = [
            "audit with \(report.peerID) (\(report.method == .buckets ? "bucket fingerprints" : "Store queries")): "
                + "\(report.outcome.rawValue)\(report.detail.map { " (\($0))" } ?? "")",
            "span \(Self.time(report.from)) to \(Self.time(report.to)) UTC, \(topics)",
            "",
            Self.row("day", "ours", "theirs", "differing hours"),
        ]
        for day in report.days {
            let differing = day.hours.filter { !$0.agrees }
            lines.append(
                Self.row(Self.date(day.start), "\(day.ours)", "\(day.theirs)", day.agrees ? "-" : "\(differing.count)")
            )
            for hour in differing {
                let here = hour.minutes.reduce(0) { $0 + $1.missingHereCount }
                let there = hour.minutes.reduce(0) { $0 + $1.missingThereCount }
                lines.append(
                    Self.row(
                        "  " + Self.clock(hour.start),
                        "\(hour.ours)",
                        "\(hour.theirs)",
                        "we lack \(here), they lack \(there)"
                    )
                )
            }
        }
        lines.append("")
        lines.append("we lack \(report.missingHereCount), the peer lacks \(report.missingThereCount)")
        for (label, hashes) in [("we lack", report.missingHere), ("they lack", report.missingThere)]
        where !hashes.isEmpty {
            lines.append("  \(label): " + hashes.prefix(5).joined(separator: " ") + (hashes.count > 5 ? " …" : ""))
        }
        lines.append(
            "round trips \(report.roundTrips), bytes \(report.bytesSent) sent and \(report.bytesReceived) received, "
                + String(format: "%.2f s", Double(report.durationNanoseconds) / 1e9)
        )
        if let repair = report.repair {
            lines.append(
                "repair: fetched \(repair.fetched) (stored \(repair.stored), unavailable \(repair.unavailable)), "
                    + "pushed \(repair.pushed) (the peer stored \(repair.acceptedByPeer))"
                    + (repair.notPushed > 0 ? ", \(repair.notPushed) could not be pushed" : "")
            )
        }
        return lines.joined(separator: "\n")
    }

    private static func row(_ a: String, _ b: String, _ c: String, _ d: String) -> String {
        a.padding(toLength: 12, withPad: " ", startingAt: 0) + b.leftPadded(10) + c.leftPadded(10) + "  " + d
    }

    private static func date(_ nanoseconds: Int64) -> String { String(Self.time(nanoseconds).prefix(10)) }

    private static func clock(_ nanoseconds: Int64) -> String { String(Self.time(nanoseconds).dropFirst(11).prefix(5)) }

    /// `yyyy-MM-dd HH:mm:ss` in UTC.
    static func time(_ nanoseconds: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: Date(timeIntervalSince1970: Double(nanoseconds / 1_000_000_000)))
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        self.count >= width ? self : String(repeating: " ", count: width - self.count) + self
    }
}
