internal import NodeEvents

/// One audited hour in full: its figures, then each minute that differs with our count and the
/// peer's, and the hashes each side lacks there (the first few per minute, as the report keeps
/// them), scrolling.
struct AuditDrillDownView {
    /// One line of the list.
    enum Line: Equatable {
        case minute(AuditMinute)
        /// A hash (hex) the peer holds and we lack (`here`), or we hold and the peer lacks.
        case hash(String, here: Bool)
        /// Hashes of a minute counted but not listed.
        case more(Int, here: Bool)
    }

    let peerID: String
    let spot: AuditMap.Spot
    /// The first line shown.
    let scroll: Int

    /// The list's lines for an hour's figures (none when the audit did not go down to it).
    static func lines(_ detail: AuditHour?) -> [Line] {
        var lines: [Line] = []
        for minute in detail?.minutes ?? [] {
            lines.append(.minute(minute))
            lines += minute.missingHere.map { .hash($0, here: true) }
            if minute.missingHereCount > minute.missingHere.count {
                lines.append(.more(minute.missingHereCount - minute.missingHere.count, here: true))
            }
            lines += minute.missingThere.map { .hash($0, here: false) }
            if minute.missingThereCount > minute.missingThere.count {
                lines.append(.more(minute.missingThereCount - minute.missingThere.count, here: false))
            }
        }
        return lines
    }

    /// The minute rows' columns: a heading and its width, numbers right-aligned, two spaces apart.
    private static let columns = [
        ("MINUTE", 6), ("OURS", 6), ("THEIRS", 6), ("MISSING HERE", 12), ("MISSING THERE", 13),
    ]

    func draw(in rect: Rect, on grid: inout CellGrid, context: RenderContext) {
        guard rect.height >= 4 else { return }
        grid.fill(rect)
        let glyphs = context.glyphs
        let start = self.spot.start
        let title = [
            Span("Audit", .title), Span(context.separator + context.peerWithID(self.peerID)),
            Span(
                context.separator + Format.date(start) + " " + Format.utcMinute(start) + "\(glyphs.rangeDash)"
                    + Format.utcMinute(start + AuditMap.hour) + " UTC",
                .accent
            ),
        ]
        grid.draw(title, x: rect.x + 1, y: rect.y, width: rect.width - 2, context: context)
        grid.draw(
            Array(AuditPane.describe(self.spot, context: context).dropFirst()),
            x: rect.x + 1,
            y: rect.y + 1,
            width: rect.width - 2,
            context: context
        )
        self.drawList(
            in: Rect(x: rect.x, y: rect.y + 2, width: rect.width, height: rect.height - 2),
            on: &grid,
            context: context
        )
    }

    /// The minutes and their hashes in a box, scrolled to ``scroll`` but never past a full page.
    private func drawList(in box: Rect, on grid: inout CellGrid, context: RenderContext) {
        let glyphs = context.glyphs
        let lines = Self.lines(self.spot.detail)
        let visible = max(1, box.height - 3)
        let first = min(max(0, self.scroll), max(0, lines.count - visible))
        var boxTitle = [Span("Minutes that differ", .title), Span(" \(self.spot.detail?.minutes.count ?? 0)", .dim)]
        if lines.count > visible {
            let last = min(lines.count, first + visible)
            boxTitle.append(
                Span(context.separator + "lines \(first + 1)\(glyphs.rangeDash)\(last) of \(lines.count)", .dim)
            )
        }
        let inside = grid.box(box, title: boxTitle, focused: true, context: context)
        grid.withClip(inside) { grid in
            var x = inside.x + 2
            for (index, (title, width)) in Self.columns.enumerated() {
                let padded = index == 0 ? title : Table.leftPad(title, width)
                grid.put(padded, x: x, y: inside.y, style: context.style(.columnHeader))
                x += width + 2
            }
            guard !lines.isEmpty else {
                grid.put(self.placeholder, x: inside.x + 2, y: inside.y + 1, style: context.style(.dim))
                return
            }
            for (offset, line) in lines[first..<min(lines.count, first + visible)].enumerated() {
                let y = inside.y + 1 + offset
                grid.draw(
                    self.spans(line, width: inside.width - 2, context: context),
                    x: inside.x + 2,
                    y: y,
                    width: inside.width - 2,
                    context: context
                )
            }
        }
    }

    private var placeholder: String {
        switch self.spot.mark {
        case .notAudited: "not audited: outside the span, or the audit did not reach this hour"
        case .agrees: "this hour agrees: nothing to list"
        case .differs: "the audit did not reach this hour's minutes"
        }
    }

    private func spans(_ line: Line, width: Int, context: RenderContext) -> [Span] {
        let indent = String(repeating: " ", count: Self.columns[0].1 + 2)
        switch line {
        case .minute(let minute):
            let cells = [
                Format.count(Int(minute.ours)), Format.count(Int(minute.theirs)), Format.count(minute.missingHereCount),
                Format.count(minute.missingThereCount),
            ]
            var spans = [Span(Format.utcMinute(minute.start).padding(Self.columns[0].1 + 2), .accent)]
            for (index, cell) in cells.enumerated() {
                let lacking = index >= 2 && cell != "0"
                spans.append(Span(Table.leftPad(cell, Self.columns[index + 1].1) + "  ", lacking ? .error : .normal))
            }
            return spans
        case .hash(let hex, let here):
            let label = here ? "we lack    " : "peer lacks "
            let room = width - indent.count - label.count
            let shown = room >= hex.count ? hex : Format.hash(hex, ellipsis: context.glyphs.ellipsis)
            return [Span(indent), Span(label, .dim), Span(shown, here ? .warning : .normal)]
        case .more(let count, let here):
            return [
                Span(indent), Span("\(here ? "we lack" : "peer lacks") \(Format.count(count)) more, not listed", .dim),
            ]
        }
    }
}
