/// A terminal size in cells.
package struct Size: Hashable, Sendable, CustomStringConvertible {
    /// The smallest screen the monitor draws its panes on; below it a message says so.
    package static let minimum = Size(width: 80, height: 24)

    /// Columns.
    package var width: Int
    /// Rows.
    package var height: Int

    /// A size of `width` columns and `height` rows.
    package init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// Whether a screen of `other`'s size fits inside this one.
    package func contains(_ other: Size) -> Bool { self.width >= other.width && self.height >= other.height }

    /// `80×24`.
    package var description: String { "\(self.width)×\(self.height)" }
}
