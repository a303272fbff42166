// Drawing primitives shared by the widgets. Each stays inside the rectangle it is given.
extension CellGrid {
    /// A box around `rect` with `title` in its top border; returns the inside.
    @discardableResult
    mutating func box(_ rect: Rect, title: [Span], focused: Bool, context: RenderContext) -> Rect {
        guard rect.width >= 2, rect.height >= 2 else { return Rect(x: rect.x, y: rect.y, width: 0, height: 0) }
        let glyphs = context.glyphs
        let style = context.style(focused ? .focusBorder : .border)
        self.withClip(rect) { grid in
            grid.fill(
                Rect(x: rect.x + 1, y: rect.y, width: rect.width - 2, height: 1),
                with: glyphs.horizontal,
                style: style
            )
            grid.fill(
                Rect(x: rect.x + 1, y: rect.maxY - 1, width: rect.width - 2, height: 1),
                with: glyphs.horizontal,
                style: style
            )
            grid.fill(
                Rect(x: rect.x, y: rect.y + 1, width: 1, height: rect.height - 2),
                with: glyphs.vertical,
                style: style
            )
            grid.fill(
                Rect(x: rect.maxX - 1, y: rect.y + 1, width: 1, height: rect.height - 2),
                with: glyphs.vertical,
                style: style
            )
            grid.put(glyphs.topLeft, x: rect.x, y: rect.y, style: style)
            grid.put(glyphs.topRight, x: rect.maxX - 1, y: rect.y, style: style)
            grid.put(glyphs.bottomLeft, x: rect.x, y: rect.maxY - 1, style: style)
            grid.put(glyphs.bottomRight, x: rect.maxX - 1, y: rect.maxY - 1, style: style)
            // The title sits after "┌─" and keeps "─┐" free.
            let titleArea = Rect(x: rect.x + 2, y: rect.y, width: rect.width - 4, height: 1)
            grid.withClip(titleArea) { grid in
                var spans = title
                if let first = spans.first {
                    spans[0] = Span(" " + first.text, first.role)
                    spans[spans.count - 1].text += " "
                }
                if focused, !spans.isEmpty { spans[0].role = .focusTitle }
                grid.draw(spans, x: titleArea.x, y: titleArea.y, width: titleArea.width, context: context)
            }
        }
        return rect.inset(dx: 1, dy: 1)
    }

    /// A horizontal rule across `width` columns with a title near its left end.
    mutating func rule(y: Int, x: Int, width: Int, title: [Span], context: RenderContext) {
        self.fill(
            Rect(x: x, y: y, width: width, height: 1),
            with: context.glyphs.horizontal,
            style: context.style(.border)
        )
        var spans = title
        if !spans.isEmpty {
            spans[0].text = " " + spans[0].text
            spans[spans.count - 1].text += " "
        }
        self.draw(spans, x: x + 2, y: y, width: width - 4, context: context)
    }

    /// Draws spans left to right, cutting the last one that does not fit with an ellipsis;
    /// returns the column after the last drawn cell.
    @discardableResult
    mutating func draw(_ spans: [Span], x: Int, y: Int, width: Int, context: RenderContext) -> Int {
        var column = x
        let end = x + width
        for span in spans {
            let room = end - column
            guard room > 0 else { break }
            let text = context.fit(span.text, room)
            column = self.put(text, x: column, y: y, style: context.style(span.role), limit: room)
        }
        return column
    }

    /// Draws spans ending at the right edge of `width` columns from `x`.
    mutating func drawRightAligned(_ spans: [Span], x: Int, y: Int, width: Int, context: RenderContext) {
        let length = spans.reduce(0) { $0 + $1.text.unicodeScalars.count }
        let start = x + max(0, width - length)
        self.draw(spans, x: start, y: y, width: x + width - start, context: context)
    }

    /// A sparkline of `values` (oldest first), scaled to their maximum, one cell per value.
    mutating func sparkline(_ values: [Int], x: Int, y: Int, role: Role, context: RenderContext) {
        let levels = context.glyphs.sparkline
        let top = max(1, values.max() ?? 1)
        let style = context.style(role)
        for (offset, value) in values.enumerated() {
            let level = value <= 0 ? 0 : min(levels.count - 1, max(1, (value * (levels.count - 1) + top - 1) / top))
            self.put(levels[level], x: x + offset, y: y, style: value <= 0 ? context.style(.dim) : style)
        }
    }

    /// A progress bar `width` cells wide filled to `fraction` (0…1).
    mutating func bar(fraction: Double, x: Int, y: Int, width: Int, role: Role, context: RenderContext) {
        guard width > 0 else { return }
        let clamped = fraction.isFinite ? min(1, max(0, fraction)) : 0
        let filled = Int((clamped * Double(width)).rounded(.down))
        self.fill(Rect(x: x, y: y, width: filled, height: 1), with: context.glyphs.barFull, style: context.style(role))
        self.fill(
            Rect(x: x + filled, y: y, width: width - filled, height: 1),
            with: context.glyphs.barEmpty,
            style: context.style(.dim)
        )
    }
}

/// A run of text in one role.
struct Span: Equatable {
    var text: String
    var role: Role

    init(_ text: String, _ role: Role = .normal) {
        self.text = text
        self.role = role
    }
}
