internal import NodeEvents

/// Draws the dashboard: `(Dashboard, size, now) → CellGrid`, with the theme, glyph set and time
/// zone fixed for the run. Pure: it reads no clock, does no I/O and changes no state.
package struct Renderer: Sendable {
    /// Colours, or the monochrome theme.
    package var theme: Theme
    /// Unicode or ASCII.
    package var glyphs: GlyphSet
    /// Seconds east of UTC, for clock times in the log and drill-down.
    package var utcOffset: Int

    /// A renderer drawing with `theme` and `glyphs`, clock times `utcOffset` seconds east of UTC.
    package init(theme: Theme, glyphs: GlyphSet, utcOffset: Int = 0) {
        self.theme = theme
        self.glyphs = glyphs
        self.utcOffset = utcOffset
    }

    /// The screen for `dashboard` at `size`, at wall-clock time `now` (nanoseconds).
    package func render(_ dashboard: Dashboard, size: Size, now: Int64) -> CellGrid {
        var grid = CellGrid(size: size, isASCIIOnly: !self.glyphs.allowsNonASCII)
        let layout = Layout(size: size, peerRows: dashboard.state.peers.count, runsRelay: dashboard.state.runsRelay)
        let context = RenderContext(
            theme: self.theme,
            glyphs: self.glyphs,
            now: now,
            utcOffset: self.utcOffset,
            aliases: dashboard.aliases
        )
        guard layout.kind != .tooSmall else {
            Self.drawTooSmall(size: size, on: &grid, context: context)
            return grid
        }
        let state = dashboard.state
        HeaderView(dashboard: dashboard).draw(in: layout.header, on: &grid, context: context)
        if dashboard.overlay == .help {
            HelpScreen(dashboard: dashboard).draw(
                in: Rect(x: 0, y: 0, width: size.width, height: size.height - 1),
                on: &grid,
                context: context
            )
        } else if let peerID = state.selectedPeer?.peerID, let hour = state.view.auditDrillDown,
            let spot = state.selectedAuditMap?.spot(hour)
        {
            AuditDrillDownView(peerID: peerID, spot: spot, scroll: state.view.auditDrillScroll).draw(
                in: Self.drillDownArea(layout),
                on: &grid,
                context: context
            )
        } else if let id = state.view.drillDown, let session = state.session(id) {
            DrillDownView(session: session, view: state.view).draw(
                in: Self.drillDownArea(layout),
                on: &grid,
                context: context
            )
        } else if layout.kind == .compact {
            TabBar(state: state).draw(in: layout.tabs, on: &grid, context: context)
            Self.drawCompactBody(state: state, in: layout.body, on: &grid, context: context)
        } else {
            for pane in Pane.allCases {
                guard let rect = layout.panes[pane] else { continue }
                Self.drawPane(pane, state: state, in: rect, boxed: true, on: &grid, context: context)
            }
        }
        FooterView(dashboard: dashboard).draw(in: layout.footer, on: &grid, context: context)
        return grid
    }

    /// Where a drill-down goes: the body, and the tab bar's row in the compact layout.
    private static func drillDownArea(_ layout: Layout) -> Rect {
        guard layout.kind == .compact else { return layout.body }
        return Rect(x: 0, y: layout.tabs.y, width: layout.size.width, height: layout.body.maxY - layout.tabs.y)
    }

    /// One pane of the watched node drawn alone into `rect` of `grid`, boxed with its title as in
    /// the rich layout (for per-pane snapshots and clipping tests).
    package func drawPane(_ pane: Pane, of dashboard: Dashboard, in rect: Rect, on grid: inout CellGrid, now: Int64) {
        let context = RenderContext(
            theme: self.theme,
            glyphs: self.glyphs,
            now: now,
            utcOffset: self.utcOffset,
            aliases: dashboard.aliases
        )
        Self.drawPane(pane, state: dashboard.state, in: rect, boxed: true, on: &grid, context: context)
    }

    private static func drawPane(
        _ pane: Pane,
        state: MonitorState,
        in rect: Rect,
        boxed: Bool,
        on grid: inout CellGrid,
        context: RenderContext
    ) {
        let focused = state.view.focus == pane
        let view = Self.paneView(pane, state: state)
        var inside = rect
        if boxed {
            var title = [Span(pane.title, .title)]
            for fact in view.summary(context: context) { title.append(Span(context.separator + fact.text, fact.role)) }
            inside = grid.box(rect, title: title, focused: focused, context: context)
        }
        grid.withClip(inside) { grid in
            view.draw(in: inside, focused: focused, on: &grid, context: context)
        }
    }

    /// The active tab's pane; when it needs less than the whole body, the log's newest lines
    /// fill the rest under a rule, so events stay in sight on every tab.
    private static func drawCompactBody(
        state: MonitorState,
        in body: Rect,
        on grid: inout CellGrid,
        context: RenderContext
    ) {
        let focus = state.view.focus
        let preferred = Self.paneView(focus, state: state).preferredHeight(width: body.width)
        let minimumLog = 4
        guard focus != .log, preferred <= body.height - minimumLog - 1 else {
            Self.drawPane(focus, state: state, in: body, boxed: false, on: &grid, context: context)
            return
        }
        let (top, rest) = body.splitTop(preferred)
        Self.drawPane(focus, state: state, in: top, boxed: false, on: &grid, context: context)
        let log = LogPane(state: state)
        var title = [Span(Pane.log.title, .title)]
        for fact in log.summary(context: context) { title.append(Span(context.separator + fact.text, fact.role)) }
        grid.rule(y: rest.y, x: rest.x, width: rest.width, title: title, context: context)
        let below = Rect(x: rest.x, y: rest.y + 1, width: rest.width, height: rest.height - 1)
        grid.withClip(below) { grid in log.draw(in: below, focused: false, on: &grid, context: context) }
    }

    static func paneView(_ pane: Pane, state: MonitorState) -> any PaneView {
        switch pane {
        case .peers: PeersPane(state: state)
        case .sessions: SessionsPane(state: state)
        case .missing: MissingPane(state: state)
        case .resume: ResumePane(resume: state.resume)
        case .archive: ArchivePane(state: state)
        case .relay: RelayPane(state: state)
        case .audit: AuditPane(state: state)
        case .log: LogPane(state: state)
        }
    }

    private static func drawTooSmall(size: Size, on grid: inout CellGrid, context: RenderContext) {
        let lines = [
            "need at least \(Size.minimum.width)\(context.glyphs.multiplication)\(Size.minimum.height)",
            "this terminal is \(size.width)\(context.glyphs.multiplication)\(size.height)",
        ]
        let top = max(0, size.height / 2 - 1)
        for (offset, line) in lines.enumerated() {
            let x = max(0, (size.width - line.count) / 2)
            grid.put(line, x: x, y: top + offset, style: context.style(offset == 0 ? .warning : .dim))
        }
    }
}

extension PaneView {
    func preferredHeight(width: Int) -> Int { .max }
}

/// A pane's content: a short summary for its title or tab, and the drawing inside its rectangle.
protocol PaneView {
    /// A few facts for the box title, most important first.
    func summary(context: RenderContext) -> [Span]
    /// One short fact for the compact layout's tab.
    func badge(context: RenderContext) -> Span?
    /// Rows the pane's content needs at `width`; the compact layout gives the rest to the log.
    func preferredHeight(width: Int) -> Int
    func draw(in rect: Rect, focused: Bool, on grid: inout CellGrid, context: RenderContext)
}
