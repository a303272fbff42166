/// One character cell: a glyph one column wide and its style.
package struct Cell: Hashable, Sendable {
    /// A space with no style.
    package static let blank = Cell(" ", .plain)

    /// One column wide (see ``CellGrid/sanitized(_:asciiOnly:)``).
    package var scalar: Unicode.Scalar
    package var style: Style

    /// A cell showing `scalar` in `style`.
    package init(_ scalar: Unicode.Scalar, _ style: Style) {
        self.scalar = scalar
        self.style = style
    }
}

/// A screenful of cells: what the pure renderer produces and the terminal adapter paints.
///
/// Every write goes through ``clip``, so a widget handed a rectangle cannot draw outside it, and
/// through ``sanitized(_:)``, so text from peers (agent strings, error messages) can neither move
/// the cursor nor break the 1:1 mapping of cells to columns.
package struct CellGrid: Equatable, Sendable {
    /// The grid's size in cells.
    package let size: Size
    /// The cells row by row, `width × height` of them.
    package private(set) var cells: [Cell]
    /// Writes outside this rectangle are dropped.
    package var clip: Rect
    /// Replace every non-ASCII character with `?` (the ASCII glyph set is in use).
    package var isASCIIOnly: Bool

    /// A blank grid.
    package init(size: Size, isASCIIOnly: Bool = false) {
        self.size = Size(width: max(0, size.width), height: max(0, size.height))
        self.cells = Array(repeating: .blank, count: self.size.width * self.size.height)
        self.clip = Rect(self.size)
        self.isASCIIOnly = isASCIIOnly
    }

    /// Columns.
    package var width: Int { self.size.width }
    /// Rows.
    package var height: Int { self.size.height }

    /// The cell at column `x`, row `y` (both inside the grid).
    package subscript(x: Int, y: Int) -> Cell {
        self.cells[y * self.size.width + x]
    }

    /// Runs `body` with writes limited to `rect` (inside the current clip), then restores the clip.
    package mutating func withClip(_ rect: Rect, _ body: (inout CellGrid) -> Void) {
        let saved = self.clip
        self.clip = saved.intersection(rect)
        body(&self)
        self.clip = saved
    }

    /// Writes one glyph, if the cell lies inside the clip.
    package mutating func put(_ scalar: Unicode.Scalar, x: Int, y: Int, style: Style) {
        guard self.clip.contains(x: x, y: y) else { return }
        self.cells[y * self.size.width + x] = Cell(scalar, style)
    }

    /// Writes `text` from (`x`, `y`) rightwards, at most `limit` cells; returns the column after it.
    ///
    /// Text is not wrapped: what does not fit in the clip is cut.
    @discardableResult
    package mutating func put(_ text: String, x: Int, y: Int, style: Style, limit: Int = .max) -> Int {
        var column = x
        let end = limit == .max ? Int.max : x + limit
        guard y >= self.clip.y, y < self.clip.maxY else { return x + min(limit, text.unicodeScalars.count) }
        for scalar in text.unicodeScalars {
            guard column < end else { break }
            guard let shown = Self.sanitized(scalar, asciiOnly: self.isASCIIOnly) else { continue }
            if column >= self.clip.x && column < self.clip.maxX {
                self.cells[y * self.size.width + column] = Cell(shown, style)
            }
            column += 1
        }
        return column
    }

    /// Fills `rect` (inside the clip) with one glyph.
    package mutating func fill(_ rect: Rect, with scalar: Unicode.Scalar = " ", style: Style = .plain) {
        let area = rect.intersection(self.clip)
        guard !area.isEmpty else { return }
        let cell = Cell(scalar, style)
        for y in area.y..<area.maxY {
            let row = y * self.size.width
            for x in area.x..<area.maxX { self.cells[row + x] = cell }
        }
    }

    /// Changes the style of the cells of `rect` (inside the clip), keeping their glyphs.
    package mutating func restyle(_ rect: Rect, style: Style) {
        let area = rect.intersection(self.clip)
        guard !area.isEmpty else { return }
        for y in area.y..<area.maxY {
            let row = y * self.size.width
            for x in area.x..<area.maxX { self.cells[row + x].style = style }
        }
    }

    /// The rows whose cells differ from `previous` (all rows when the sizes differ): what a paint
    /// step must send to the terminal.
    package func rowsDiffering(from previous: CellGrid?) -> [Int] {
        guard let previous, previous.size == self.size else { return Array(0..<self.size.height) }
        let width = self.size.width
        return (0..<self.size.height).filter { y in
            let start = y * width
            return self.cells[start..<start + width] != previous.cells[start..<start + width]
        }
    }

    /// The cells of row `y`.
    package func row(_ y: Int) -> ArraySlice<Cell> {
        let start = y * self.size.width
        return self.cells[start..<start + self.size.width]
    }

    /// One line per row with trailing spaces trimmed: the text layer of a snapshot.
    package var text: String {
        (0..<self.size.height).map { y in
            var line = String(String.UnicodeScalarView(self.row(y).map(\.scalar)))
            while line.last == " " { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }

    /// One letter per cell describing its style (see ``Style``), trailing plain cells trimmed:
    /// the style layer of a snapshot.
    package var styleText: String {
        (0..<self.size.height).map { y in
            var line = String(self.row(y).map(\.style.letter))
            while line.last == "." { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }

    /// What a terminal cell can show for `scalar`: control characters and wide or zero-width
    /// characters become `?` or nothing, so one scalar is always one column.
    static func sanitized(_ scalar: Unicode.Scalar, asciiOnly: Bool) -> Unicode.Scalar? {
        let value = scalar.value
        if value >= 0x20 && value < 0x7F { return scalar }
        if value < 0x20 || (value >= 0x7F && value < 0xA0) { return "?" }
        if asciiOnly { return "?" }
        if value >= 0x300 {
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .enclosingMark, .format: return nil
            case .spacingMark, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned:
                return "?"
            default: break
            }
            if Self.isWide(value) || scalar.properties.isEmojiPresentation { return "?" }
        }
        return scalar
    }

    private static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
            0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
            0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            true
        default:
            false
        }
    }
}
