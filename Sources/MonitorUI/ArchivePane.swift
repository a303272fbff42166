internal import NodeEvents

/// Archive growth: total and size, the rate with a sparkline per source, the busiest content
/// topics, duplicates, retention and rejected pushes.
struct ArchivePane: PaneView {
    let state: MonitorState

    func summary(context: RenderContext) -> [Span] {
        var spans: [Span] = []
        if let archive = self.state.archive {
            spans.append(Span("\(Format.count(archive.messages)) msgs", .accent))
            spans.append(Span(Format.bytes(archive.bytes), .normal))
        }
        spans.append(Span(Format.rate(self.state.growth.rate(nil, at: context.now)), .normal))
        return spans
    }

    func badge(context: RenderContext) -> Span? {
        Span(Format.rate(self.state.growth.rate(nil, at: context.now)), .normal)
    }

    func draw(in rect: Rect, focused: Bool, on grid: inout CellGrid, context: RenderContext) {
        let x = rect.x + 2
        let width = rect.width - 3
        var y = rect.y
        grid.draw(self.totals(context: context), x: x, y: y, width: width, context: context)
        y += 1
        let growth = self.state.growth
        let labelWidth = 9
        let numbersWidth = 18
        let sparkWidth = max(0, width - labelWidth - numbersWidth)
        var sources: [MessageSource?] = [nil]
        sources += MessageSource.allCases.sorted { (growth.totals[$0] ?? 0) > (growth.totals[$1] ?? 0) }
        for source in sources where y < rect.maxY {
            let total = source.map { growth.totals[$0] ?? 0 } ?? growth.total
            let label = source?.rawValue ?? "stored"
            let role: Role = source == nil ? .accent : total > 0 ? .chart : .dim
            grid.put(label, x: x, y: y, style: context.style(source == nil ? .title : .normal), limit: labelWidth)
            grid.sparkline(
                growth.series(source, length: sparkWidth, at: context.now),
                x: x + labelWidth,
                y: y,
                role: role,
                context: context
            )
            let numbers =
                Table.leftPad(Format.compactCount(total), 8)
                + Table.leftPad(Format.rate(growth.rate(source, at: context.now)), 9)
            grid.put(
                numbers,
                x: x + labelWidth + sparkWidth,
                y: y,
                style: context.style(total > 0 ? .normal : .dim),
                limit: numbersWidth
            )
            y += 1
        }
        if sparkWidth > 0 && y < rect.maxY {
            let span = "last \(Format.span(seconds: Int64(min(sparkWidth, GrowthHistory.bucketCount))))"
            grid.put(span, x: x + labelWidth, y: y, style: context.style(.dim))
            grid.put("total     rate", x: x + labelWidth + sparkWidth + 3, y: y, style: context.style(.dim))
            y += 1
        }
        if y < rect.maxY {
            grid.draw(self.counters(context: context), x: x, y: y, width: width, context: context)
            y += 1
        }
        self.drawTopics(in: Rect(x: x, y: y + 1, width: width, height: rect.maxY - y - 1), on: &grid, context: context)
    }

    private func totals(context: RenderContext) -> [Span] {
        guard let archive = self.state.archive else { return [Span("archive size not reported yet", .dim)] }
        var spans = [
            Span(Format.count(archive.messages), .accent), Span(" msgs", .dim), Span(context.separator, .dim),
            Span(Format.bytes(archive.bytes)), Span(context.separator, .dim), Span("sync index ", .dim),
            Span(Format.count(archive.syncIndexItems)),
        ]
        if let oldest = archive.oldest, let newest = archive.newest {
            spans += [
                Span(context.separator, .dim), Span("covers ", .dim), Span(Format.span(from: oldest, to: newest)),
                Span(", newest \(Format.ago(newest, now: context.now))", .dim),
            ]
        }
        if let location = self.state.node?.archive, !location.isEmpty {
            spans += [Span(context.separator, .dim), Span("in ", .dim), Span(location)]
        }
        return spans
    }

    private func counters(context: RenderContext) -> [Span] {
        let rejected = self.state.rejections.values.reduce(0, +)
        var spans = [
            Span("duplicates ", .dim), Span(Format.count(self.state.growth.duplicates)), Span(context.separator, .dim),
            Span("retention deleted ", .dim), Span(Format.count(self.state.retentionDeleted)),
            Span(context.separator, .dim),
            Span("rejected ", .dim), Span(Format.count(rejected), rejected > 0 ? .warning : .normal),
        ]
        if let top = self.state.rejections.max(by: { $0.value < $1.value }) {
            spans.append(Span(" (most \(top.key.rawValue))", .dim))
        }
        return spans
    }

    private func drawTopics(in rect: Rect, on grid: inout CellGrid, context: RenderContext) {
        guard rect.height >= 2 else { return }
        let topics = self.state.growth.byContentTopic.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        grid.put("CONTENT TOPIC", x: rect.x, y: rect.y, style: context.style(.columnHeader))
        grid.put(Table.leftPad("MSGS", 8), x: rect.maxX - 8, y: rect.y, style: context.style(.columnHeader))
        if topics.isEmpty {
            grid.put("nothing stored since the monitor started", x: rect.x, y: rect.y + 1, style: context.style(.dim))
            return
        }
        let top = max(1, topics[0].value)
        let nameWidth = min(40, max(12, rect.width / 2))
        let barWidth = max(0, rect.width - nameWidth - 10)
        for (offset, topic) in topics.prefix(rect.height - 1).enumerated() {
            let y = rect.y + 1 + offset
            grid.put(context.fit(topic.key, nameWidth - 1), x: rect.x, y: y, style: context.style(.normal))
            let filled = max(1, topic.value * barWidth / top)
            grid.fill(
                Rect(x: rect.x + nameWidth, y: y, width: min(filled, barWidth), height: 1),
                with: context.glyphs.barFull,
                style: context.style(.chart)
            )
            grid.put(
                Table.leftPad(Format.compactCount(topic.value), 8),
                x: rect.maxX - 8,
                y: y,
                style: context.style(.normal)
            )
        }
    }
}
