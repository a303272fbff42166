internal import NodeEvents

/// The event log: newest at the bottom, scrollable, filterable by text.
struct LogPane: PaneView {
    let state: MonitorState

    private static let columns: [Table.Column] = [
        .init(title: "TIME", width: 8),
        .init(title: "LEVEL", width: 5),
        .init(title: "ABOUT", width: 8, priority: 3),
        .init(title: "PEER", width: 13, priority: 2),
        .init(title: "EVENT", width: 30, grows: true),
    ]

    func summary(context: RenderContext) -> [Span] {
        let view = self.state.view
        var spans = [Span("\(Format.count(self.state.log.appended)) lines", .dim)]
        if !view.logFilter.isEmpty {
            let matches = self.state.log.lines(matching: view.logFilter).count
            spans.insert(
                Span("filter \"\(view.logFilter)\": \(matches) match\(matches == 1 ? "" : "es")", .accent),
                at: 0
            )
        }
        if view.logScroll > 0 {
            spans.append(Span("\(context.glyphs.arrowUp) \(view.logScroll) newer below", .warning))
        }
        if self.state.log.problems > 0 { spans.append(Span("\(self.state.log.problems) warnings", .warning)) }
        return spans
    }

    func badge(context: RenderContext) -> Span? {
        let problems = self.state.log.problems
        return problems > 0 ? Span("\(problems)!", .warning) : nil
    }

    func draw(in rect: Rect, focused: Bool, on grid: inout CellGrid, context: RenderContext) {
        let lines = self.state.log.lines(matching: self.state.view.logFilter)
        let visible = max(1, rect.height - 1)
        let end = max(min(lines.count, visible), lines.count - self.state.view.logScroll)
        let shown = lines[max(0, end - visible)..<end]
        let placeholder =
            self.state.view.logFilter.isEmpty ? "no events yet" : "no line matches the filter; Esc clears it"
        Table(
            columns: Self.columns,
            rows: shown.map { .cells(self.cells($0, context: context)) },
            selected: nil,
            isFocused: focused,
            placeholder: placeholder
        ).draw(in: rect, on: &grid, context: context)
    }

    private func cells(_ entry: LogEntry, context: RenderContext) -> [Span] {
        let level: Span =
            switch entry.severity {
            case .info: Span("info", .dim)
            case .warning: Span("warn", .warning)
            case .error: Span("ERROR", .error)
            }
        return [
            Span(context.clock(entry.time), .dim),
            level,
            Span(entry.kind.rawValue, .dim),
            Span(entry.peerID.map(context.peer) ?? "", .normal),
            Span(entry.text, entry.severity == .error ? .error : .normal),
        ]
    }
}
