import MonitorUI
import NodeEvents
import Testing
import WakuTestSupport

@Suite("each pane alone, golden snapshots")
struct PaneSnapshotTests {
    static let sizes = [Size(width: 60, height: 12), Size(width: 100, height: 20)]

    static func render(_ pane: Pane, _ size: Size, theme: Theme = .colour, glyphs: GlyphSet = .unicode) -> CellGrid {
        var grid = CellGrid(size: size, isASCIIOnly: !glyphs.allowsNonASCII)
        var dashboard = MonitorFixtures.busyDashboard()
        while dashboard.state.view.focus != pane { _ = dashboard.apply(.nextPane, at: MonitorFixtures.now) }
        Renderer(theme: theme, glyphs: glyphs).drawPane(
            pane,
            of: dashboard,
            in: Rect(size),
            on: &grid,
            now: MonitorFixtures.now
        )
        return grid
    }

    @Test("every pane at two sizes, in colour and in monochrome", arguments: Pane.allCases)
    func pane(pane: Pane) {
        for size in Self.sizes {
            let name = "pane-\(pane.title.lowercased())-\(size.width)x\(size.height)"
            Snapshot.check(Self.render(pane, size), named: name)
            Snapshot.check(Self.render(pane, size, theme: .monochrome), named: name + "-mono", styles: true)
        }
    }

    @Test("every pane in ASCII", arguments: Pane.allCases)
    func ascii(pane: Pane) {
        let grid = Self.render(pane, Size(width: 100, height: 20), glyphs: .ascii)
        #expect(grid.cells.allSatisfy { $0.scalar.isASCII })
        Snapshot.check(grid, named: "pane-\(pane.title.lowercased())-100x20-ascii", styles: false)
    }

    @Test("a pane never draws outside the rectangle it is given", arguments: Pane.allCases)
    func clipping(pane: Pane) {
        let dashboard = MonitorFixtures.busyDashboard()
        for rect in [
            Rect(x: 7, y: 3, width: 41, height: 9), Rect(x: 0, y: 0, width: 3, height: 2),
            Rect(x: 30, y: 10, width: 90, height: 30),
        ] {
            var grid = CellGrid(size: Size(width: 100, height: 30))
            grid.fill(Rect(grid.size), with: "#")
            Renderer(theme: .colour, glyphs: .unicode).drawPane(
                pane,
                of: dashboard,
                in: rect,
                on: &grid,
                now: MonitorFixtures.now
            )
            for y in 0..<grid.height {
                for x in 0..<grid.width where !rect.contains(x: x, y: y) {
                    #expect(grid[x, y].scalar == "#", "\(pane) wrote (\(x), \(y)) outside \(rect)")
                }
            }
        }
    }
}
