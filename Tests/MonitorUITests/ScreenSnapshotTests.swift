import MonitorUI
import NodeEvents
import Testing
import WakuTestSupport

@Suite("whole screens, golden snapshots")
struct ScreenSnapshotTests {
    static let sizes = [
        Size(width: 80, height: 24), Size(width: 120, height: 36), Size(width: 160, height: 48),
        Size(width: 200, height: 60), Size(width: 250, height: 70),
    ]

    static func render(
        _ dashboard: Dashboard,
        _ size: Size,
        theme: Theme = .colour,
        glyphs: GlyphSet = .unicode
    ) -> CellGrid {
        Renderer(theme: theme, glyphs: glyphs).render(dashboard, size: size, now: MonitorFixtures.now)
    }

    @Test("the busy demo node at every size", arguments: sizes)
    func busy(size: Size) {
        Snapshot.check(Self.render(MonitorFixtures.busyDashboard(), size), named: "busy-\(size.width)x\(size.height)")
    }
}

extension ScreenSnapshotTests {
    static func dashboard(focus: Pane) -> Dashboard {
        var dashboard = MonitorFixtures.busyDashboard()
        while dashboard.state.view.focus != focus { _ = dashboard.apply(.nextPane, at: MonitorFixtures.now) }
        return dashboard
    }

    @Test("each pane as a compact tab at 80×24 and 120×36", arguments: Pane.allCases)
    func compactTabs(pane: Pane) {
        for size in [Size(width: 80, height: 24), Size(width: 120, height: 36)] {
            Snapshot.check(
                Self.render(Self.dashboard(focus: pane), size),
                named: "tab-\(pane.title.lowercased())-\(size.width)x\(size.height)",
                styles: false
            )
        }
    }

    @Test(
        "monochrome carries every state with glyphs and attributes",
        arguments: [Size(width: 80, height: 24), Size(width: 160, height: 48)]
    )
    func monochrome(size: Size) {
        Snapshot.check(
            Self.render(MonitorFixtures.busyDashboard(), size, theme: .monochrome),
            named: "mono-\(size.width)x\(size.height)"
        )
    }

    @Test(
        "the ASCII glyph set draws only ASCII",
        arguments: [Size(width: 80, height: 24), Size(width: 160, height: 48)]
    )
    func ascii(size: Size) {
        let grid = Self.render(MonitorFixtures.busyDashboard(), size, glyphs: .ascii)
        #expect(grid.cells.allSatisfy { $0.scalar.isASCII })
        Snapshot.check(grid, named: "ascii-\(size.width)x\(size.height)", styles: false)
    }

    @Test("the help screen lists every key", arguments: [Size(width: 80, height: 24), Size(width: 160, height: 48)])
    func help(size: Size) {
        var dashboard = MonitorFixtures.busyDashboard()
        _ = dashboard.handle(.character("?"), at: MonitorFixtures.now)
        let grid = Self.render(dashboard, size)
        for binding in KeyTable.bindings {
            #expect(grid.text.contains(binding.help), "\(binding.action) missing at \(size)")
        }
        Snapshot.check(grid, named: "help-\(size.width)x\(size.height)")
    }

    @Test(
        "the drill-down shows a live session's rounds and ranges",
        arguments: [Size(width: 80, height: 24), Size(width: 160, height: 48)]
    )
    func drillDown(size: Size) {
        var dashboard = MonitorFixtures.busyDashboard()
        _ = dashboard.handle(.enter, at: MonitorFixtures.now)
        Snapshot.check(Self.render(dashboard, size), named: "drilldown-\(size.width)x\(size.height)")
        _ = dashboard.handle(.up, at: MonitorFixtures.now)
        Snapshot.check(
            Self.render(dashboard, size),
            named: "drilldown-round2-\(size.width)x\(size.height)",
            styles: false
        )
    }

    @Test("prompts and questions take the footer")
    func footerOverlays() {
        let size = Size(width: 80, height: 24)
        var dashboard = MonitorFixtures.busyDashboard()
        _ = dashboard.handle(.character("a"), at: MonitorFixtures.now)
        for character in "/ip4/10.0.0.7/tcp/60000/p2p/16Uiu2HAmX" {
            _ = dashboard.handle(.character(character), at: MonitorFixtures.now)
        }
        Snapshot.check(Self.render(dashboard, size), named: "prompt-add-peer-80x24")
        dashboard = MonitorFixtures.busyDashboard()
        _ = dashboard.handle(.character("q"), at: MonitorFixtures.now)
        Snapshot.check(Self.render(dashboard, size), named: "confirm-quit-80x24")
        dashboard = MonitorFixtures.busyDashboard()
        for key: Key in [.character("/"), .character("s"), .character("e"), .character("s")] {
            _ = dashboard.handle(key, at: MonitorFixtures.now)
        }
        Snapshot.check(Self.render(dashboard, size), named: "filter-log-80x24", styles: false)
    }

    @Test(
        "below 80×24 a centred message asks for more room",
        arguments: [Size(width: 79, height: 24), Size(width: 80, height: 23), Size(width: 30, height: 8)]
    )
    func tooSmall(size: Size) {
        let grid = Self.render(MonitorFixtures.busyDashboard(), size)
        #expect(grid.text.contains("need at least 80×24"))
        Snapshot.check(grid, named: "too-small-\(size.width)x\(size.height)", styles: false)
    }

    @Test(
        "a node that just started, with nothing to show yet",
        arguments: [Size(width: 80, height: 24), Size(width: 160, height: 48)]
    )
    func quiet(size: Size) {
        Snapshot.check(
            Self.render(MonitorFixtures.quietDashboard(), size),
            named: "quiet-\(size.width)x\(size.height)",
            styles: false
        )
    }
}
