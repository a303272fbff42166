internal import Foundation

/// Text in columns of fixed width: how every bench table lines up its figures.
struct TextColumns {
    /// Each column's width; a cell is padded with spaces to it, or cut to it.
    let widths: [Int]
    /// Written between two cells.
    var separator = ""

    /// One line of `cells`: each padded or cut to its column's width; cells past the last width
    /// are written as they are.
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { index, cell in
            index < self.widths.count ? cell.padding(toLength: self.widths[index], withPad: " ", startingAt: 0) : cell
        }
        .joined(separator: self.separator)
    }
}
