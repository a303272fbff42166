/// A rectangle of cells; widgets draw only inside the one they are given.
package struct Rect: Hashable, Sendable {
    package var x: Int
    package var y: Int
    package var width: Int
    package var height: Int

    /// A rectangle; negative sizes become 0.
    package init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    /// The rectangle of a whole screen of `size`.
    package init(_ size: Size) {
        self.init(x: 0, y: 0, width: size.width, height: size.height)
    }

    /// The first column to the right of it.
    package var maxX: Int { self.x + self.width }
    /// The first row below it.
    package var maxY: Int { self.y + self.height }
    /// Whether it holds no cell.
    package var isEmpty: Bool { self.width == 0 || self.height == 0 }

    /// Whether the cell at (`x`, `y`) lies inside.
    package func contains(x: Int, y: Int) -> Bool {
        x >= self.x && x < self.maxX && y >= self.y && y < self.maxY
    }

    /// The part of this rectangle that also lies in `other`.
    package func intersection(_ other: Rect) -> Rect {
        let left = max(self.x, other.x)
        let top = max(self.y, other.y)
        return Rect(x: left, y: top, width: min(self.maxX, other.maxX) - left, height: min(self.maxY, other.maxY) - top)
    }

    /// The rectangle shrunk by `dx` columns on each side and `dy` rows at top and bottom.
    package func inset(dx: Int, dy: Int) -> Rect {
        Rect(x: self.x + dx, y: self.y + dy, width: self.width - 2 * dx, height: self.height - 2 * dy)
    }

    /// The top `rows` rows and the rest.
    package func splitTop(_ rows: Int) -> (top: Rect, rest: Rect) {
        let rows = min(max(0, rows), self.height)
        return (
            Rect(x: self.x, y: self.y, width: self.width, height: rows),
            Rect(x: self.x, y: self.y + rows, width: self.width, height: self.height - rows)
        )
    }

    /// The left `columns` columns and the rest.
    package func splitLeft(_ columns: Int) -> (left: Rect, rest: Rect) {
        let columns = min(max(0, columns), self.width)
        return (
            Rect(x: self.x, y: self.y, width: columns, height: self.height),
            Rect(x: self.x + columns, y: self.y, width: self.width - columns, height: self.height)
        )
    }

    /// The rows split into consecutive rectangles of the given heights (the last one takes the rest).
    package func rows(_ heights: [Int]) -> [Rect] {
        var rest = self
        var result: [Rect] = []
        for (index, height) in heights.enumerated() {
            if index == heights.count - 1 {
                result.append(rest)
            } else {
                let split = rest.splitTop(height)
                result.append(split.top)
                rest = split.rest
            }
        }
        return result
    }
}
