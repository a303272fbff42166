import MonitorUI
import NodeEvents
import Testing
import WakuTestSupport

@Suite("rendering at any size")
struct RenderSizeTests {
    static let widths = [1, 2, 7, 40, 79, 80, 81, 100, 139, 140, 141, 159, 160, 200, 250, 300]
    static let heights = [1, 2, 5, 23, 24, 25, 35, 36, 48, 60, 70, 90]

    /// The screens worth checking: every tab, help, a drill-down, a prompt, a question.
    static func screens() -> [Dashboard] {
        var screens = [MonitorFixtures.quietDashboard()]
        var dashboard = MonitorFixtures.busyDashboard()
        for _ in Pane.allCases {
            screens.append(dashboard)
            _ = dashboard.apply(.nextPane, at: MonitorFixtures.now)
        }
        for keys: [Key] in [
            [.character("?")], [.enter], [.enter, .up, .pageDown], [.character("a")], [.character("q")],
        ] {
            var overlaid = MonitorFixtures.busyDashboard()
            for key in keys { _ = overlaid.handle(key, at: MonitorFixtures.now) }
            screens.append(overlaid)
        }
        return screens
    }

    @Test(
        "every screen renders at every size without drawing past the grid",
        arguments: [Theme.colour, .monochrome].map(\.name)
    )
    func everySize(theme: String) {
        let renderer = Renderer(theme: theme == "colour" ? .colour : .monochrome, glyphs: .unicode)
        for dashboard in Self.screens() {
            for width in Self.widths {
                for height in Self.heights {
                    let size = Size(width: width, height: height)
                    let grid = renderer.render(dashboard, size: size, now: MonitorFixtures.now)
                    #expect(grid.size == size)
                    #expect(grid.cells.count == width * height)
                    if !size.contains(Size.minimum) && width >= 22 && height >= 2 {
                        #expect(grid.text.contains("need at least 80×24"))
                    }
                }
            }
        }
    }

    @Test("the bottom-right cell is never written (terminals scroll when it is)")
    func bottomRightCellStaysBlank() {
        let renderer = Renderer(theme: .colour, glyphs: .unicode)
        for dashboard in Self.screens() {
            for size in [Size(width: 80, height: 24), Size(width: 160, height: 48)] {
                let grid = renderer.render(dashboard, size: size, now: MonitorFixtures.now)
                #expect(grid[size.width - 1, size.height - 1] == .blank)
            }
        }
    }
}
