internal import Foundation
package import NodeEvents

/// One log line per meaningful node event, for `wakusync run --headless` (text or JSON lines).
///
/// The same events feed the TUI and the metrics, so the three always agree. Rounds, archive size
/// and relay status snapshots are too frequent for lines and are left to the TUI and `/metrics`.
package enum EventLines {
    /// The text line for `event` at wall time `now` (nanoseconds), or nil for events not logged.
    package static func text(_ event: NodeEvent, at now: Int64) -> String? {
        guard let (level, message, fields) = Self.describe(event) else { return nil }
        return Self.text(level: level, message: message, fields: fields, at: now)
    }

    /// The JSON line for `event`: `{"time":…,"level":…,"event":…,"message":…, fields…}`.
    package static func json(_ event: NodeEvent, at now: Int64) -> String? {
        guard let (level, message, fields) = Self.describe(event) else { return nil }
        return Self.json(level: level, name: Self.name(event), message: message, fields: fields, at: now)
    }

    /// The line saying `count` event lines were dropped because standard output was not read.
    package static func dropped(_ count: Int, json: Bool, at now: Int64) -> String {
        let message = "event lines dropped while standard output was blocked"
        let fields: [Field] = [("count", count)]
        guard json else { return Self.text(level: "warn", message: message, fields: fields, at: now) }
        return Self.json(level: "warn", name: "linesDropped", message: message, fields: fields, at: now) ?? message
    }

    private static func text(level: String, message: String, fields: [Field], at now: Int64) -> String {
        let details = fields.map { "\($0.key)=\(Self.value($0.value))" }.joined(separator: " ")
        return "\(Self.timestamp(now)) \(level.padding(toLength: 5, withPad: " ", startingAt: 0)) "
            + Self.escaped(message) + (details.isEmpty ? "" : " \(details)")
    }

    /// A field value for a text line: numbers as they are, text escaped and quoted when it has
    /// spaces, quotes or `=`, so one line stays one line and its fields stay apart whatever a peer
    /// put in an agent string, a topic or an error.
    package static func value(_ value: Any) -> String {
        guard let text = value as? String else { return "\(value)" }
        let escaped = Self.escaped(text)
        guard escaped.isEmpty || escaped.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) else {
            return escaped
        }
        return "\"" + escaped.replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// `text` with every control character (terminal escapes, line breaks) written as `\u{…}` and
    /// backslashes doubled, so it cannot move the cursor, recolour a terminal or forge a line.
    package static func escaped(_ text: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned:
                out += "\\u{\(String(scalar.value, radix: 16))}"
            default:
                if scalar == "\\" { out += "\\\\" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    private static func json(level: String, name: String, message: String, fields: [Field], at now: Int64) -> String? {
        var object: [String: Any] = ["time": Self.timestamp(now), "level": level, "event": name, "message": message]
        for (key, value) in fields { object[key] = value }
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: object,
                options: [.sortedKeys, .withoutEscapingSlashes]
            )
        else {
            return nil
        }
        return String(decoding: data, as: UTF8.self)
    }

    typealias Field = (key: String, value: Any)

    /// A line's level, message and fields.
    private typealias Line = (level: String, message: String, fields: [Field])

    private static func describe(_ event: NodeEvent) -> Line? {
        switch event {
        case .started, .stopping, .nextSync, .notice: Self.node(event)
        case .peerUpdated, .peerRemoved: Self.peer(event)
        case .sessionStarted, .sessionRound, .sessionEnded: Self.session(event)
        case .transfer, .rejected, .limitExceeded, .transferred, .storeServed: Self.traffic(event)
        // One per message: the stored lines and the metrics count them. The status comes every
        // second: the TUI and `/metrics` show it.
        case .relayed, .relayStatus: nil
        case .stored, .archive, .retention, .resume: Self.archive(event)
        case .auditProgress: nil
        case .auditFinished(let report): Self.audit(report)
        }
    }

    private static func audit(_ report: AuditReport) -> Line {
        var fields: [Field] = [
            ("peer", report.peerID), ("method", report.method.rawValue), ("outcome", report.outcome.rawValue),
            ("missing_here", report.missingHereCount), ("missing_there", report.missingThereCount),
            ("round_trips", report.roundTrips), ("bytes", report.bytesSent + report.bytesReceived),
        ]
        if let repair = report.repair {
            fields += [("fetched", repair.fetched), ("stored", repair.stored), ("pushed", repair.pushed)]
        }
        if let detail = report.detail { fields.append(("detail", detail)) }
        let level = report.outcome == .failed || report.outcome == .incomplete ? "warn" : "info"
        return (level, "archive audit \(report.outcome.rawValue)", fields)
    }

    private static func node(_ event: NodeEvent) -> Line? {
        switch event {
        case .started(let info):
            return (
                "info", "node started",
                [
                    ("peer", info.peerID), ("listen", info.listenAddresses.joined(separator: ",")),
                    ("cluster", Int(info.clusterID)), ("shards", info.shards.map(String.init).joined(separator: ",")),
                    ("strategy", info.strategy),
                ]
            )
        case .stopping:
            return ("info", "node stopping", [])
        case .nextSync:
            return nil
        case .notice(let notice):
            var fields: [Field] = []
            if let peer = notice.peerID { fields.append(("peer", peer)) }
            return (
                notice.severity == .info ? "info" : notice.severity == .warning ? "warn" : "error", notice.message,
                fields
            )
        default:
            return nil
        }
    }

    private static func peer(_ event: NodeEvent) -> Line? {
        switch event {
        case .peerUpdated(let peer):
            var fields: [Field] = [("peer", peer.peerID), ("state", peer.state.rawValue)]
            if let address = peer.address { fields.append(("address", address)) }
            if peer.isPaused { fields.append(("paused", true)) }
            if let error = peer.lastError { fields.append(("error", error)) }
            return ("info", "peer \(peer.state.rawValue)", fields)
        case .peerRemoved(let peer):
            return ("info", "peer removed", [("peer", peer)])
        default:
            return nil
        }
    }

    private static func session(_ event: NodeEvent) -> Line? {
        switch event {
        case .sessionStarted(let start):
            return (
                "info", "session started",
                [("session", Int(start.id.value)), ("peer", start.peerID), ("role", start.role.rawValue)]
            )
        case .sessionRound:
            return nil
        case .sessionEnded(let end):
            var fields: [Field] = [
                ("session", Int(end.id.value)), ("peer", end.peerID), ("role", end.role.rawValue),
                ("rounds", end.rounds),
                ("bytes_sent", end.bytesSent), ("bytes_received", end.bytesReceived), ("we_need", end.weNeed),
                ("they_need", end.theyNeed), ("duration_ms", Int(end.duration / .milliseconds(1))),
                ("strategy", end.strategy),
            ]
            switch end.outcome {
            case .reconciled: return ("info", "session reconciled", fields)
            case .scopeMismatch: return ("warn", "session scopes do not intersect", fields)
            case .failed(let reason):
                fields.append(("error", reason))
                return ("warn", "session failed", fields)
            }
        default:
            return nil
        }
    }

    private static func traffic(_ event: NodeEvent) -> Line? {
        switch event {
        case .transfer:
            return nil
        case .rejected(let rejected):
            return (
                "warn", "messages rejected",
                [
                    ("peer", rejected.peerID ?? "-"), ("source", rejected.source.rawValue),
                    ("reason", rejected.reason.rawValue), ("count", rejected.count),
                ]
            )
        case .limitExceeded(let exceeded):
            return (
                "warn", "limit reached",
                [("peer", exceeded.peerID ?? "-"), ("limit", exceeded.limit.rawValue), ("detail", exceeded.detail)]
            )
        case .transferred:
            return nil
        case .storeServed(let served):
            return (
                "info", "store query served",
                [("peer", served.peerID), ("status", Int(served.status)), ("messages", served.messages)]
            )
        default:
            return nil
        }
    }

    private static func archive(_ event: NodeEvent) -> Line? {
        switch event {
        case .stored(let batch):
            var fields: [Field] = [
                ("source", batch.source.rawValue), ("inserted", batch.inserted), ("duplicates", batch.duplicates),
            ]
            if let peer = batch.peerID { fields.append(("peer", peer)) }
            return batch.inserted > 0 ? ("info", "messages stored", fields) : nil
        case .archive:
            return nil
        case .retention(let deleted, let policy):
            return ("info", "retention deleted messages", [("deleted", deleted), ("policy", policy)])
        case .resume(let progress):
            var fields: [Field] = [("pages", progress.pages), ("messages", progress.messages)]
            if let peer = progress.peerID { fields.append(("peer", peer)) }
            switch progress.state {
            case .running: return progress.pages == 0 ? ("info", "resume started", fields) : nil
            case .finished: return ("info", "resume finished", fields)
            case .failed(let reason):
                fields.append(("error", reason))
                return ("warn", "resume failed", fields)
            case .noPeer: return ("warn", "resume found no store peer", fields)
            }
        default:
            return nil
        }
    }

    private static func name(_ event: NodeEvent) -> String {
        let mirror = Mirror(reflecting: event)
        return mirror.children.first?.label ?? String(describing: event)
    }

    private static func timestamp(_ nanoseconds: Int64) -> String {
        let date = Date(timeIntervalSince1970: Double(nanoseconds) / 1e9)
        return date.formatted(
            .iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)
        )
    }
}
