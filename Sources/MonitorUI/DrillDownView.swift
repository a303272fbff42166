internal import NodeEvents

/// One session in full: a summary, its rounds (ranges by type, bytes, items compared, differences
/// found) and, for the selected round, every range received and sent.
struct DrillDownView {
    let session: SessionRecord
    let view: NodeView

    func draw(in rect: Rect, on grid: inout CellGrid, context: RenderContext) {
        guard rect.height >= 6 else { return }
        grid.fill(rect)
        let x = rect.x + 1
        grid.draw(self.title(context: context), x: x, y: rect.y, width: rect.width - 2, context: context)
        grid.draw(self.totals(context: context), x: x, y: rect.y + 1, width: rect.width - 2, context: context)
        let rounds = self.session.rounds
        let selected = rounds.isEmpty ? nil : min(self.view.drillRound ?? rounds.count - 1, rounds.count - 1)
        let body = Rect(x: rect.x, y: rect.y + 2, width: rect.width, height: rect.height - 2)
        let roundsHeight = max(4, min(max(5, body.height * 40 / 100), rounds.count + 3))
        let (top, bottom) = body.splitTop(roundsHeight)
        var title = [Span("Rounds", .title), Span(" \(self.session.roundCount)", .dim)]
        if self.session.roundCount > rounds.count {
            title.append(Span(" (latest \(rounds.count) kept)", .dim))
        }
        let inside = grid.box(top, title: title, focused: true, context: context)
        grid.withClip(inside) { grid in
            Table(
                columns: Self.roundColumns,
                rows: rounds.map { .cells(self.roundCells($0, context: context)) },
                selected: selected,
                isFocused: true,
                placeholder: self.session.isLive ? "waiting for the first round" : "no rounds recorded"
            ).draw(in: inside, on: &grid, context: context)
        }
        guard let selected, bottom.height >= 3 else { return }
        let round = rounds[selected]
        let (left, right) = bottom.splitLeft(bottom.width / 2)
        self.drawRanges(
            "Round \(round.number) received",
            round.receivedRanges,
            total: round.received.total,
            in: left,
            on: &grid,
            context: context
        )
        self.drawRanges(
            "Round \(round.number) sent",
            round.sentRanges,
            total: round.sent.total,
            in: right,
            on: &grid,
            context: context
        )
    }

    private static let roundColumns: [Table.Column] = [
        .init(title: "RND", width: 3, alignment: .right),
        .init(title: "RECEIVED fp/skip/set/items", width: 26),
        .init(title: "IN", width: 9, alignment: .right),
        .init(title: "SENT fp/skip/set/items", width: 26),
        .init(title: "OUT", width: 9, alignment: .right),
        .init(title: "COMPARED", width: 8, alignment: .right, priority: 1),
        .init(title: "+WE NEED", width: 8, alignment: .right, priority: 1),
        .init(title: "+THEY NEED", width: 10, alignment: .right, priority: 1),
    ]

    private func title(context: RenderContext) -> [Span] {
        let glyphs = context.glyphs
        let status: Span
        switch self.session.end?.outcome {
        case nil: status = Span("\(glyphs.exchange) live, round \(self.session.roundCount)", .accent)
        case .reconciled: status = Span("\(glyphs.check) reconciled", .good)
        case .scopeMismatch: status = Span("\(glyphs.cross) topic scopes do not intersect", .warning)
        case .failed(let reason): status = Span("\(glyphs.cross) failed: \(reason)", .error)
        }
        var spans = [
            Span("Session \(self.session.id)", .title), Span(context.separator, .dim),
            Span(context.peerWithID(self.session.peerID)),
            Span(context.separator, .dim), Span(self.session.role?.rawValue ?? "role unknown"),
        ]
        if let strategy = self.session.strategy { spans += [Span(context.separator, .dim), Span(strategy)] }
        spans += [
            Span(context.separator, .dim), status, Span(context.separator, .dim),
            Span(Format.duration(self.session.duration(at: context.now))),
        ]
        if let end = self.session.end {
            spans.append(Span(", ended \(Format.ago(end.endedAt, now: context.now))", .dim))
        }
        return spans
    }

    private func totals(context: RenderContext) -> [Span] {
        var spans: [Span] = []
        if self.session.windowEnd > self.session.windowStart {
            spans += [
                Span("window ", .dim), Span(context.clock(self.session.windowStart)),
                Span(" \(context.glyphs.to) ", .dim),
                Span(context.clock(self.session.windowEnd)),
                Span(" (\(Format.span(from: self.session.windowStart, to: self.session.windowEnd)))", .dim),
                Span(context.separator, .dim),
            ]
        }
        spans += [
            Span("in ", .dim), Span(Format.bytes(self.session.bytesReceived)), Span(" out ", .dim),
            Span(Format.bytes(self.session.bytesSent)), Span(context.separator, .dim), Span("compared ", .dim),
            Span(Format.count(self.session.itemsCompared)), Span(context.separator, .dim), Span("we need ", .dim),
            Span(Format.count(self.session.weNeed), .accent), Span(context.separator, .dim), Span("they need ", .dim),
            Span(Format.count(self.session.theyNeed), .accent),
        ]
        return spans
    }

    private func roundCells(_ round: SessionRound, context: RenderContext) -> [Span] {
        [
            Span("\(round.number)"),
            Span(SessionsPane.tally(round.received)),
            Span(Format.bytes(round.bytesReceived)),
            Span(SessionsPane.tally(round.sent)),
            Span(Format.bytes(round.bytesSent)),
            Span(Format.compactCount(round.itemsCompared)),
            Span("+\(round.newWeNeed)", round.newWeNeed > 0 ? .accent : .normal),
            Span("+\(round.newTheyNeed)", round.newTheyNeed > 0 ? .accent : .normal),
        ]
    }

    private func drawRanges(
        _ title: String,
        _ ranges: [RangeSummary],
        total: Int,
        in rect: Rect,
        on grid: inout CellGrid,
        context: RenderContext
    ) {
        let inside = grid.box(
            rect,
            title: [Span(title, .title), Span(" \(total) ranges", .dim)],
            focused: false,
            context: context
        )
        guard inside.height > 0 else { return }
        var lines: [[Span]] = ranges.map { self.rangeLine($0, context: context) }
        if total > ranges.count {
            lines.append([Span("\(context.glyphs.ellipsis) \(total - ranges.count) more ranges not kept", .dim)])
        }
        if lines.isEmpty {
            lines = [[Span(total == 0 ? "no ranges" : "range details not kept for this session", .dim)]]
        }
        let scroll = min(self.view.drillScroll, max(0, lines.count - inside.height))
        grid.withClip(inside) { grid in
            for (offset, line) in lines.dropFirst(scroll).prefix(inside.height).enumerated() {
                grid.draw(line, x: inside.x + 1, y: inside.y + offset, width: inside.width - 1, context: context)
            }
        }
    }

    private func rangeLine(_ range: RangeSummary, context: RenderContext) -> [Span] {
        var spans = [
            Span(self.bound(range.lower, context: context)), Span(context.glyphs.to.description, .dim),
            Span(self.bound(range.upper, context: context)), Span("  "),
        ]
        switch range.kind {
        case .skip: spans.append(Span("skip", .dim))
        case .fingerprint: spans.append(Span("fingerprint", .chart))
        case .itemSet:
            spans.append(Span("set \(range.items)", .accent))
            if range.reconciled { spans.append(Span(" \(context.glyphs.check) reconciled", .good)) }
        }
        return spans
    }

    /// A range bound as a clock time with milliseconds; the open ends of the window read as words.
    private func bound(_ timestamp: Int64, context: RenderContext) -> String {
        if timestamp <= 0 { return "start".padding(12) }
        if timestamp >= 4_102_444_800 * Format.nanosecondsPerSecond { return "end".padding(12) }
        return context.clockMilliseconds(timestamp)
    }
}
