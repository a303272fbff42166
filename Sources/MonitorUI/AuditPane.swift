internal import NodeEvents

/// The archive audit of the selected peer: the audit under way with its progress, the last
/// report's outcome and span, a heat map of that span (a row per UTC day, a cell per hour: agrees,
/// differs and by how much, not audited), the hour under the cursor, and the report's figures.
/// Before any audit it says which keys start one.
struct AuditPane: PaneView {
    let state: MonitorState

    private var peerID: String? { self.state.selectedPeer?.peerID }
    private var audit: PeerAudit? { self.state.selectedAudit }

    func summary(context: RenderContext) -> [Span] {
        guard let peerID = self.peerID else { return [Span("no peer", .dim)] }
        return [Span(context.peer(peerID)), self.badge(context: context) ?? Span("not audited", .dim)]
    }

    func badge(context: RenderContext) -> Span? {
        guard let audit = self.audit else { return nil }
        if let progress = audit.progress { return Span(Format.percent(progress.fraction), .accent) }
        guard let report = audit.report else { return nil }
        let glyphs = context.glyphs
        switch report.outcome {
        case .consistent: return Span("\(glyphs.check) agrees", .good)
        case .differences:
            let count = Format.compactCount(report.missingHereCount + report.missingThereCount)
            return Span("\(glyphs.cross) \(count) differ", .error)
        case .repaired: return Span("\(glyphs.check) repaired", .good)
        case .incomplete: return Span("incomplete", .warning)
        case .notSupported: return Span("unsupported", .warning)
        case .failed: return Span("\(glyphs.cross) failed", .error)
        }
    }

    func preferredHeight(width: Int) -> Int {
        guard self.peerID != nil else { return 1 }
        let progress = self.audit?.progress == nil ? 0 : 1
        guard let report = self.audit?.report else { return progress + 3 }
        // Status, hour labels, the days, the cursor's hour, a blank line and the figures.
        return progress + 4 + report.days.count + Self.factCount(report)
    }

    func draw(in rect: Rect, focused: Bool, on grid: inout CellGrid, context: RenderContext) {
        let x = rect.x + 2
        let width = rect.width - 3
        var y = rect.y
        func line(_ spans: [Span]) {
            guard y < rect.maxY else { return }
            grid.draw(spans, x: x, y: y, width: width, context: context)
            y += 1
        }
        guard let peerID = self.peerID else {
            line([Span("no peer to audit yet: peers appear here as they connect", .dim)])
            return
        }
        if let progress = self.audit?.progress, y < rect.maxY {
            Self.drawProgress(progress, x: x, y: y, width: width, on: &grid, context: context)
            y += 1
        }
        guard let report = self.audit?.report else {
            for hint in self.hint(peerID, isRunning: self.audit?.progress != nil, context: context) { line(hint) }
            return
        }
        line(self.status(report, context: context))
        let map = AuditMap(report: report)
        let spot = map.spot(self.state.view.auditCursor)
        if !report.days.isEmpty && y < rect.maxY {
            let rows = min(report.days.count, max(1, rect.maxY - y - 2))
            let area = Rect(x: rect.x, y: y, width: rect.width, height: rows + 1)
            AuditMapView(map: map, cursor: spot?.start, focused: focused).draw(in: area, on: &grid, context: context)
            y += rows + 1
        }
        if let spot { line(Self.describe(spot, context: context)) }
        y += 1
        for fact in Self.facts(report, context: context) { line(fact) }
    }

    /// What to press before the first audit.
    private func hint(_ peerID: String, isRunning: Bool, context: RenderContext) -> [[Span]] {
        if isRunning { return [[Span("the heat map appears when the audit finishes", .dim)]] }
        let peer = context.peer(peerID)
        return [
            [Span("no audit of \(peer) yet", .dim)],
            [
                Span(Dashboard.keyName(.audit), .key),
                Span(" audits our archive against \(peer)'s over the retention span"),
            ],
            [
                Span(KeyTable.repairKey.name(.ascii), .key),
                Span(" also repairs: fetches what we lack, pushes what the peer lacks (asks first)"),
            ],
        ]
    }

    /// `● auditing · hours 12/24 ████░░░░ 50% · 37 round trips · 12.0 KiB`.
    private static func drawProgress(
        _ progress: AuditProgress,
        x: Int,
        y: Int,
        width: Int,
        on grid: inout CellGrid,
        context: RenderContext
    ) {
        let end = x + width
        var column = grid.draw(
            [
                Span("\(context.glyphs.filled) auditing", .accent), Span(context.separator, .dim),
                Span("\(progress.phase.rawValue) "),
                Span("\(Format.count(progress.done))/\(Format.count(progress.total)) "),
            ],
            x: x,
            y: y,
            width: width,
            context: context
        )
        let barWidth = min(20, end - column - 5)
        if barWidth >= 5 {
            grid.bar(fraction: progress.fraction, x: column, y: y, width: barWidth, role: .chart, context: context)
            column += barWidth
        }
        let trips = "\(Format.count(progress.roundTrips)) round trip\(progress.roundTrips == 1 ? "" : "s")"
        grid.draw(
            [
                Span(" " + Format.percent(progress.fraction), .accent), Span(context.separator + trips, .dim),
                Span(context.separator + Format.bytes(progress.bytes), .dim),
            ],
            x: column,
            y: y,
            width: end - column,
            context: context
        )
    }
}

extension AuditProgress {
    /// The share of the current phase done, 0…1.
    var fraction: Double { self.total > 0 ? Double(self.done) / Double(self.total) : 0 }
}
