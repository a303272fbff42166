/// A table that fits its columns to the width it gets: columns with a higher ``Column/priority``
/// number are dropped first, growing columns take the spare width, and the rows scroll so the
/// selected one stays visible. The selected row carries the pointer glyph as well as the
/// selection style, so it shows in monochrome too.
struct Table {
    struct Column {
        enum Alignment {
            case left
            case right
        }

        var title: String
        var width: Int
        var alignment = Alignment.left
        /// 0 is always shown; larger numbers are dropped first when the table is narrow.
        var priority = 0
        /// Takes the width left over once every shown column has its own.
        var grows = false
    }

    /// One row: cells in column order, or one line of text across the whole row.
    enum Row {
        case cells([Span])
        case line([Span])
    }

    var columns: [Column]
    var rows: [Row]
    /// The index in ``rows`` of the selected row.
    var selected: Int?
    /// Whether the table's pane has the focus (the selection is highlighted only then).
    var isFocused: Bool
    /// Text shown when there are no rows.
    var placeholder: String

    /// Draws the table into `rect`; returns the number of rows drawn including the heading.
    @discardableResult
    func draw(in rect: Rect, on grid: inout CellGrid, context: RenderContext) -> Int {
        guard rect.height > 0, rect.width > 2 else { return 0 }
        let (shown, widths, gap) = self.fit(width: rect.width - 2)
        grid.withClip(rect) { grid in
            var x = rect.x + 2
            for (column, width) in zip(shown, widths) {
                let title = context.fit(self.columns[column].title, width)
                let padded = self.columns[column].alignment == .right ? Self.leftPad(title, width) : title
                grid.put(padded, x: x, y: rect.y, style: context.style(.columnHeader), limit: width)
                x += width + gap
            }
            if self.rows.isEmpty {
                grid.put(self.placeholder, x: rect.x + 2, y: rect.y + 1, style: context.style(.dim))
                return
            }
            let visible = rect.height - 1
            let first = Self.firstVisible(selected: self.selected, count: self.rows.count, visible: visible)
            if self.rows.count > visible {
                let position = "\(min(self.rows.count, first + visible))/\(self.rows.count)"
                grid.put(" " + position, x: rect.maxX - position.count - 1, y: rect.y, style: context.style(.dim))
            }
            for (offset, index) in (first..<min(self.rows.count, first + visible)).enumerated() {
                let y = rect.y + 1 + offset
                let isSelected = index == self.selected
                if isSelected {
                    if self.isFocused {
                        grid.fill(Rect(x: rect.x, y: y, width: rect.width, height: 1), style: context.style(.selection))
                    }
                    grid.put(context.glyphs.pointer, x: rect.x, y: y, style: context.style(.accent))
                }
                self.drawRow(
                    self.rows[index],
                    y: y,
                    x: rect.x + 2,
                    shown: shown,
                    widths: widths,
                    gap: gap,
                    on: &grid,
                    context: context
                )
                if isSelected && self.isFocused {
                    grid.restyle(
                        Rect(x: rect.x + 1, y: y, width: rect.width - 1, height: 1),
                        style: context.style(.selection)
                    )
                }
            }
        }
        return min(rect.height, self.rows.count + 1)
    }

    private func drawRow(
        _ row: Row,
        y: Int,
        x: Int,
        shown: [Int],
        widths: [Int],
        gap: Int,
        on grid: inout CellGrid,
        context: RenderContext
    ) {
        switch row {
        case .line(let spans):
            grid.draw(spans, x: x, y: y, width: grid.clip.maxX - x, context: context)
        case .cells(let cells):
            var column = x
            for (index, width) in zip(shown, widths) {
                guard index < cells.count else { break }
                let text = context.fit(cells[index].text, width)
                let padded = self.columns[index].alignment == .right ? Self.leftPad(text, width) : text
                grid.put(padded, x: column, y: y, style: context.style(cells[index].role), limit: width)
                column += width + gap
            }
        }
    }

    /// Which columns fit in `width`, how wide each is, and the gap between them.
    private func fit(width: Int) -> (shown: [Int], widths: [Int], gap: Int) {
        let byPriority = self.columns.indices.sorted {
            (self.columns[$0].priority, $0) < (self.columns[$1].priority, $1)
        }
        var chosen: Set<Int> = []
        var gap = 2
        // Two spaces between columns only where there is room to spare.
        for candidate in width >= 100 ? [2, 1] : [1] {
            gap = candidate
            chosen = []
            var used = 0
            for index in byPriority {
                let needed = self.columns[index].width + (chosen.isEmpty ? 0 : gap)
                if used + needed <= width || chosen.isEmpty {
                    chosen.insert(index)
                    used += needed
                }
            }
            if chosen.count == self.columns.count { break }
        }
        let shown = self.columns.indices.filter(chosen.contains)
        var widths = shown.map { self.columns[$0].width }
        let used = widths.reduce(0, +) + gap * max(0, shown.count - 1)
        let growing = shown.indices.filter { self.columns[shown[$0]].grows }
        if width > used, !growing.isEmpty {
            let spare = width - used
            for (order, position) in growing.enumerated() {
                widths[position] += spare / growing.count + (order < spare % growing.count ? 1 : 0)
            }
        }
        return (shown, widths, gap)
    }

    /// The first row to draw so that `selected` is visible.
    static func firstVisible(selected: Int?, count: Int, visible: Int) -> Int {
        guard let selected, visible > 0, count > visible else { return 0 }
        return min(max(0, selected - visible + 1), count - visible)
    }

    static func leftPad(_ text: String, _ width: Int) -> String {
        let count = text.unicodeScalars.count
        return count >= width ? text : String(repeating: " ", count: width - count) + text
    }
}
