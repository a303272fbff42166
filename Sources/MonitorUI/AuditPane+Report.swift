internal import NodeEvents

// The words around the heat map: the report's status line, the hour under the cursor, and the
// report's figures.
extension AuditPane {
    /// `✗ differences · buckets · 2025-06-13 15:06 → 06-15 15:06 UTC (2d00h) · 3m ago`.
    func status(_ report: AuditReport, context: RenderContext) -> [Span] {
        let glyphs = context.glyphs
        let outcome: Span =
            switch report.outcome {
            case .consistent: Span("\(glyphs.check) consistent", .good)
            case .differences: Span("\(glyphs.cross) differences", .error)
            case .repaired: Span("\(glyphs.check) repaired", .good)
            case .incomplete: Span("incomplete", .warning)
            case .notSupported: Span("not supported", .warning)
            case .failed: Span("\(glyphs.cross) failed", .error)
            }
        var spans = [outcome, Span(context.separator + report.method.rawValue, .dim)]
        if report.to > report.from {
            spans.append(Span(context.separator + Self.span(report.from, report.to, context: context), .normal))
        }
        if let finished = self.state.selectedAudit?.finishedAt {
            spans.append(Span(context.separator + Format.ago(finished, now: context.now), .dim))
        }
        return spans
    }

    /// `2025-06-13 15:06 → 06-15 15:06 UTC (2d00h)`.
    static func span(_ from: Int64, _ to: Int64, context: RenderContext) -> String {
        let start = Format.date(from)
        let end = Format.date(to)
        let endDay = start.prefix(4) == end.prefix(4) ? String(end.dropFirst(5)) : end
        return "\(start) \(Format.utcMinute(from)) \(context.glyphs.to) \(endDay) \(Format.utcMinute(to)) UTC"
            + " (\(Format.span(from: from, to: to)))"
    }

    /// The hour under the cursor: `06-14 03:00 ✗ differs · ours 640 theirs 642 · missing here 3
    /// there 1 · 1 minute` (the hour labels say UTC; the footer offers Enter for the minutes).
    static func describe(_ spot: AuditMap.Spot, context: RenderContext) -> [Span] {
        let glyphs = context.glyphs
        var spans = [Span("\(Format.date(spot.start).dropFirst(5)) \(Format.utcMinute(spot.start)) ", .accent)]
        func counts(ours: Int64, theirs: Int64) -> [Span] {
            [
                Span(context.separator + "ours ", .dim), Span(Format.count(Int(ours))), Span(" theirs ", .dim),
                Span(Format.count(Int(theirs))),
            ]
        }
        switch spot.mark {
        case .notAudited:
            spans.append(Span("not audited", .dim))
        case .agrees:
            spans.append(Span("\(glyphs.check) agrees", .good))
            if let detail = spot.detail {
                spans += counts(ours: detail.ours, theirs: detail.theirs)
            } else {
                spans.append(Span(" (the whole day", .dim))
                spans += counts(ours: spot.day.ours, theirs: spot.day.theirs)
                spans.append(Span(")", .dim))
            }
        case .differs:
            spans.append(Span("\(glyphs.cross) differs", .error))
            guard let detail = spot.detail else { break }
            spans += counts(ours: detail.ours, theirs: detail.theirs)
            let here = detail.minutes.reduce(0) { $0 + $1.missingHereCount }
            let there = detail.minutes.reduce(0) { $0 + $1.missingThereCount }
            let minutes = detail.minutes.count
            spans += [
                Span(context.separator + "missing here ", .dim), Span(Format.count(here), here > 0 ? .error : .normal),
                Span(" there ", .dim), Span(Format.count(there), there > 0 ? .error : .normal),
                Span(context.separator + "\(minutes) minute\(minutes == 1 ? "" : "s")", .dim),
            ]
        }
        return spans
    }

    /// Lines of ``facts(_:context:)``.
    static func factCount(_ report: AuditReport) -> Int {
        3 + (report.repair == nil ? 0 : 1) + (report.detail == nil ? 0 : 1) + (report.pubsubTopics.isEmpty ? 0 : 1)
    }

    /// The report's figures, one labelled line each.
    static func facts(_ report: AuditReport, context: RenderContext) -> [[Span]] {
        func label(_ text: String) -> Span { Span(text.padding(10), .dim) }
        let separator = Span(context.separator, .dim)
        let totals = report.totals
        let trips = "\(Format.count(report.roundTrips)) round trip\(report.roundTrips == 1 ? "" : "s")"
        var lines: [[Span]] = [
            [
                label("messages"), Span("ours ", .dim), Span(Format.count(Int(totals.ours))), Span(" theirs ", .dim),
                Span(Format.count(Int(totals.theirs))),
            ],
            [
                label("missing"), Span("here ", .dim),
                Span(Format.count(report.missingHereCount), report.missingHereCount > 0 ? .error : .good),
                Span(" (we lack)", .dim), separator, Span("there ", .dim),
                Span(Format.count(report.missingThereCount), report.missingThereCount > 0 ? .error : .good),
                Span(" (the peer lacks)", .dim),
            ],
            [
                label("exchange"), Span(trips), separator, Span(Format.bytes(report.bytesSent)), Span(" out ", .dim),
                Span(Format.bytes(report.bytesReceived)), Span(" in", .dim), separator, Span("took ", .dim),
                Span(Format.duration(.nanoseconds(report.durationNanoseconds))),
            ],
        ]
        if let repair = report.repair {
            lines.append([
                label("repair"), Span("fetched ", .dim), Span(Format.count(repair.fetched)),
                Span(" (\(Format.count(repair.stored)) stored)", .dim), separator, Span("pushed ", .dim),
                Span(Format.count(repair.pushed)), Span(" (\(Format.count(repair.acceptedByPeer)) stored there)", .dim),
                separator, Span("unavailable ", .dim), Span(Format.count(repair.unavailable)), separator,
                Span("not pushed ", .dim), Span(Format.count(repair.notPushed)),
            ])
        }
        if let detail = report.detail { lines.append([label("detail"), Span(detail, .warning)]) }
        if !report.pubsubTopics.isEmpty {
            lines.append([label("topics"), Span(report.pubsubTopics.joined(separator: ", "))])
        }
        return lines
    }
}
