internal import NodeEvents

/// Draws an ``AuditMap``: a row of hour labels, then a row per day (`06-15`, UTC) with 24 hour
/// cells in four groups of six, and the day's message counts when there is room. The rows scroll
/// to keep the cursor's day in sight; the cursor's row carries the pointer and, when the pane has
/// the focus, its hour the selection style, so it shows in monochrome too.
struct AuditMapView {
    let map: AuditMap
    /// The hour under the cursor (its start).
    let cursor: Int64?
    let focused: Bool

    /// Columns before the first hour: the pointer, a space, `06-15` and a space.
    static let labelWidth = 8
    /// The narrowest room left for the day's counts that is worth drawing them in.
    static let countsWidth = 14

    /// Draws the hour labels in the first row of `rect` and as many days as the other rows hold.
    func draw(in rect: Rect, on grid: inout CellGrid, context: RenderContext) {
        guard rect.height >= 2 else { return }
        let days = self.map.report.days
        let cellWidth = rect.width >= Self.mapWidth(cellWidth: 2) + Self.countsWidth ? 2 : 1
        let cursorDay = self.cursor.map(self.map.dayIndex(of:)) ?? days.count - 1
        let rows = rect.height - 1
        let first = min(max(0, cursorDay - rows + 1), max(0, days.count - rows))
        grid.withClip(rect) { grid in
            self.drawHeader(
                x: rect.x,
                y: rect.y,
                cellWidth: cellWidth,
                shown: first..<min(days.count, first + rows),
                on: &grid,
                context: context
            )
            for (offset, index) in (first..<min(days.count, first + rows)).enumerated() {
                self.drawDay(
                    index,
                    x: rect.x,
                    y: rect.y + 1 + offset,
                    cellWidth: cellWidth,
                    on: &grid,
                    context: context
                )
            }
        }
    }

    /// Columns from the pane's edge to the end of the last hour group.
    static func mapWidth(cellWidth: Int) -> Int { Self.labelWidth + AuditMap.hoursPerDay * cellWidth + 4 }

    /// The column of hour `hour` (0…24; 24 is past the last group).
    private static func column(_ hour: Int, x: Int, cellWidth: Int) -> Int {
        x + Self.labelWidth + hour * cellWidth + hour / 6
    }

    private func drawHeader(
        x: Int,
        y: Int,
        cellWidth: Int,
        shown: Range<Int>,
        on grid: inout CellGrid,
        context: RenderContext
    ) {
        grid.put("UTC", x: x + 2, y: y, style: context.style(.dim))
        for hour in stride(from: 0, to: AuditMap.hoursPerDay, by: 6) {
            let label = hour < 10 ? "0\(hour)" : "\(hour)"
            grid.put(label, x: Self.column(hour, x: x, cellWidth: cellWidth), y: y, style: context.style(.dim))
        }
        let count = self.map.report.days.count
        let end = Self.column(AuditMap.hoursPerDay, x: x, cellWidth: cellWidth)
        let text =
            shown.count < count
            ? "days \(shown.lowerBound + 1)\(context.glyphs.rangeDash)\(shown.upperBound) of \(count)"
            : "ours/theirs"
        grid.put(text, x: end, y: y, style: context.style(.dim))
    }

    private func drawDay(
        _ index: Int,
        x: Int,
        y: Int,
        cellWidth: Int,
        on grid: inout CellGrid,
        context: RenderContext
    ) {
        let day = self.map.report.days[index]
        let glyphs = context.glyphs
        let isCursorDay = self.cursor.map { $0 >= day.start && $0 < day.start + AuditMap.day } ?? false
        if isCursorDay { grid.put(glyphs.pointer, x: x, y: y, style: context.style(.accent)) }
        grid.put(String(Format.date(day.start).dropFirst(5)), x: x + 2, y: y, style: context.style(.normal))
        for hour in 0..<AuditMap.hoursPerDay {
            let (glyph, role) = Self.look(self.map.mark(day, hour: hour), glyphs: glyphs)
            let isCursor = isCursorDay && self.cursor == day.start + Int64(hour) * AuditMap.hour
            let style = context.style(isCursor && self.focused ? .selection : role)
            grid.put(glyph, x: Self.column(hour, x: x, cellWidth: cellWidth), y: y, style: style)
        }
        let end = Self.column(AuditMap.hoursPerDay, x: x, cellWidth: cellWidth)
        let counts = [
            Span(day.agrees ? "\(glyphs.check) " : "\(glyphs.cross) ", day.agrees ? .good : .error),
            Span(Format.count(Int(day.ours))), Span("/", .dim), Span(Format.count(Int(day.theirs))),
        ]
        grid.draw(counts, x: end, y: y, width: grid.clip.maxX - end, context: context)
    }

    /// The glyph and role of a mark: meaning by glyph first, colour on top.
    static func look(_ mark: AuditMap.Mark, glyphs: GlyphSet) -> (Unicode.Scalar, Role) {
        switch mark {
        case .notAudited: (glyphs.heatNotAudited, .dim)
        case .agrees: (glyphs.heatAgree, .good)
        case .differs(let level): (glyphs.heatDiffer[min(level, glyphs.heatDiffer.count - 1)], .error)
        }
    }
}
