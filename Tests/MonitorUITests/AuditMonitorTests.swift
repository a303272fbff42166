import MonitorUI
import NodeEvents
import Testing
import WakuTestSupport

@Suite("the audit view: its heat map, drill-down and snapshots")
struct AuditMonitorTests {
    static let now = MonitorFixtures.now
    static let sizes = [Size(width: 80, height: 24), Size(width: 200, height: 60)]

    static func render(
        _ dashboard: Dashboard,
        _ size: Size,
        theme: Theme = .colour,
        glyphs: GlyphSet = .unicode
    ) -> CellGrid {
        Renderer(theme: theme, glyphs: glyphs).render(dashboard, size: size, now: Self.now)
    }

    static func focused(_ dashboard: Dashboard, keys: [Key] = []) -> Dashboard {
        var dashboard = dashboard
        while dashboard.state.view.focus != .audit { _ = dashboard.apply(.nextPane, at: Self.now) }
        for key in keys { _ = dashboard.handle(key, at: Self.now) }
        return dashboard
    }

    @Test("before any audit the view says which keys start one", arguments: sizes)
    func empty(size: Size) {
        let grid = Self.render(Self.focused(MonitorFixtures.busyDashboard()), size)
        #expect(grid.text.contains("no audit of node-2 yet"))
        #expect(grid.text.contains("A audits our archive against node-2's over the retention span"))
        Snapshot.check(grid, named: "audit-empty-\(size.width)x\(size.height)", styles: false)
    }

    @Test("a finished report: status, a row per day, the cursor's hour and the figures", arguments: sizes)
    func report(size: Size) {
        let grid = Self.render(Self.focused(MonitorFixtures.auditDashboard()), size)
        let text = grid.text
        #expect(text.contains("✗ differences"))
        #expect(text.contains("06-13") && text.contains("06-14") && text.contains("06-15"))
        #expect(text.contains("06-14 03:00 ✗ differs · ours 640 theirs 642 · missing here 3 there 1"))
        Snapshot.check(grid, named: "audit-report-\(size.width)x\(size.height)")
    }

    @Test("the report in monochrome and in ASCII carries the marks in glyphs")
    func reportGlyphs() {
        let dashboard = Self.focused(MonitorFixtures.auditDashboard())
        let size = Size(width: 80, height: 24)
        let mono = Self.render(dashboard, size, theme: .monochrome)
        #expect(mono.text.contains("▸ 06-14 ▪ ▪ ▪ ▒ ▪ ▪  ▪ ▪ ▪ ▓ ▪ ▪  ▪ ▪ ▪ ▪ ▪ █"))
        Snapshot.check(mono, named: "audit-report-mono-80x24")
        let ascii = Self.render(dashboard, size, glyphs: .ascii)
        #expect(ascii.cells.allSatisfy { $0.scalar.isASCII })
        #expect(ascii.text.contains("> 06-14 = = = x = =  = = = X = =  = = = = = #"))
        Snapshot.check(ascii, named: "audit-report-ascii-80x24", styles: false)
    }

    @Test("an audit under way shows its phase and progress above the last report", arguments: sizes)
    func running(size: Size) {
        let grid = Self.render(Self.focused(MonitorFixtures.auditRunningDashboard()), size)
        #expect(grid.text.contains("auditing · hours 31/72"))
        Snapshot.check(grid, named: "audit-running-\(size.width)x\(size.height)", styles: false)
    }

    @Test("the drill-down lists an hour's minutes and the hashes each side lacks", arguments: sizes)
    func drillDown(size: Size) {
        // Yesterday 17:00: three minutes, more hashes than the report lists.
        let keys = Array(repeating: Key.right, count: 14) + [.enter]
        let grid = Self.render(Self.focused(MonitorFixtures.auditDashboard(), keys: keys), size)
        #expect(grid.text.contains("2025-06-14 17:00–18:00 UTC"))
        #expect(grid.text.contains("17:05"))
        #expect(grid.text.contains("we lack"))
        Snapshot.check(grid, named: "audit-drilldown-\(size.width)x\(size.height)")
    }

    @Test("hours outside the span are not audited; agreeing days agree; differing hours scale by count")
    func marks() {
        let map = AuditMap(report: MonitorFixtures.auditReport())
        let days = MonitorFixtures.auditReport().days
        #expect(map.mark(days[0], hour: 14) == .notAudited)
        #expect(map.mark(days[0], hour: 15) == .agrees)
        #expect(map.mark(days[1], hour: 3) == .differs(level: 0))
        #expect(map.mark(days[1], hour: 9) == .differs(level: 1))
        #expect(map.mark(days[1], hour: 17) == .differs(level: 2))
        #expect(map.mark(days[1], hour: 4) == .agrees)
        #expect(map.mark(days[2], hour: 15) == .agrees)
        #expect(map.mark(days[2], hour: 16) == .notAudited)
        #expect(map.cursor(nil) == days[1].start + 3 * MonitorFixtures.hour)
        #expect(map.cursor(days[0].start - 1) == days[1].start + 3 * MonitorFixtures.hour)
        #expect(map.moved(nil, by: -1_000_000_000) == days[0].start)
    }

    @Test("a consistent report puts the cursor on the last hour audited")
    func consistentCursor() {
        var report = MonitorFixtures.auditReport()
        for index in report.days.indices {
            report.days[index].agrees = true
            report.days[index].hours = []
        }
        let map = AuditMap(report: report)
        let today = report.days[2].start
        #expect(map.cursor(nil) == today + 15 * MonitorFixtures.hour)
    }

    @Test("an audit under way before any report shows its progress and says the map comes after")
    func firstRun() {
        var dashboard = MonitorFixtures.busyDashboard()
        let progress = AuditProgress(
            peerID: MonitorFixtures.peerIDs[1],
            phase: .days,
            done: 1,
            total: 3,
            roundTrips: 1,
            bytes: 200
        )
        dashboard.apply(.auditProgress(progress), fromNode: 0, at: Self.now)
        let text = Self.render(Self.focused(dashboard), Size(width: 80, height: 24)).text
        #expect(text.contains("● auditing · days 1/3"))
        #expect(text.contains("the heat map appears when the audit finishes"))
    }

    /// The audit dashboard with a month-long span: 27 agreeing days before the fixture's three.
    static func longSpanDashboard() -> Dashboard {
        var report = MonitorFixtures.auditReport()
        let first = report.days[0].start
        let earlier = (1...27).reversed().map {
            AuditDay(start: first - Int64($0) * MonitorFixtures.day, ours: 9_000, theirs: 9_000, agrees: true)
        }
        report.days = earlier + report.days
        report.from -= 27 * MonitorFixtures.day
        var dashboard = MonitorFixtures.busyDashboard()
        dashboard.apply(.auditFinished(report), fromNode: 0, at: Self.now)
        return Self.focused(dashboard)
    }

    @Test("a long span scrolls its days to keep the cursor's day in sight")
    func longSpan() {
        let grid = Self.render(Self.longSpanDashboard(), Size(width: 80, height: 24))
        #expect(grid.text.contains("▸ 06-14"))
        #expect(grid.text.contains("of 30"))
        #expect(!grid.text.contains("05-16"))
    }

    @Test("the audit view renders at every size without drawing past the grid")
    func everySize() {
        let renderer = Renderer(theme: .colour, glyphs: .unicode)
        for dashboard in [
            Self.focused(MonitorFixtures.auditRunningDashboard()),
            Self.focused(MonitorFixtures.auditDashboard(), keys: [.enter, .pageDown]),
            Self.longSpanDashboard(),
        ] {
            for width in RenderSizeTests.widths {
                for height in RenderSizeTests.heights {
                    let grid = renderer.render(dashboard, size: Size(width: width, height: height), now: Self.now)
                    #expect(grid.cells.count == width * height)
                }
            }
        }
    }

    @Test("each audit outcome has its log line", arguments: AuditReport.Outcome.allCases)
    func auditOutcomeLines(outcome: AuditReport.Outcome) throws {
        var state = MonitorFixtures.busyDashboard().state
        var report = MonitorFixtures.auditReport()
        report.outcome = outcome
        report.detail = "budget exhausted"
        report.repair = outcome == .repaired ? AuditRepair() : nil
        state.apply(.auditFinished(report), at: Self.now)
        let text = try #require(state.log.entries.last?.text)
        let expected: [AuditReport.Outcome: String] = [
            .consistent: "archive audit: consistent over 2d00h (buckets, 37 round trips)",
            .differences: "archive audit: differences, missing here 138, there 33 (buckets, 37 round trips)",
            .repaired: "archive audit repaired: missing here 138, there 33; fetched 0, pushed 0 (37 round trips)",
            .incomplete:
                "archive audit incomplete: budget exhausted; missing here 138, there 33 so far (37 round trips)",
            .notSupported: "archive audit: the peer speaks neither the audit protocol nor Store v3",
            .failed: "archive audit failed: budget exhausted",
        ]
        #expect(text == expected[outcome])
    }
}
