import MonitorUI
import NodeEvents
import Testing
import WakuTestSupport

@Suite("keys to commands")
struct DashboardKeyTests {
    static let now = MonitorFixtures.now
    let peer = MonitorFixtures.peerIDs[1]

    static func press(_ keys: [Key], on dashboard: inout Dashboard) -> [AddressedCommand] {
        keys.compactMap { dashboard.handle($0, at: Self.now) }
    }

    static func type(_ text: String) -> [Key] { text.map { .character($0) } }

    @Test("force sync targets the selected peer; S targets every peer")
    func forceSync() {
        var dashboard = MonitorFixtures.busyDashboard()
        let commands = Self.press([.character("s"), .character("j"), .character("s"), .character("S")], on: &dashboard)
        #expect(
            commands.map(\.command) == [
                .forceSync(peerID: self.peer), .forceSync(peerID: MonitorFixtures.peerIDs[2]), .forceSync(peerID: nil),
            ]
        )
        #expect(dashboard.state.log.entries.last?.kind == .command)
    }

    @Test("p pauses a running peer and unpauses a paused one")
    func togglePause() {
        var dashboard = MonitorFixtures.busyDashboard()
        let commands = Self.press([.character("p"), .down, .character("p")], on: &dashboard)
        #expect(commands.map(\.command) == [.pause(peerID: self.peer), .unpause(peerID: MonitorFixtures.peerIDs[2])])
    }

    @Test("d asks first; y disconnects, anything else keeps the peer")
    func disconnect() {
        var dashboard = MonitorFixtures.busyDashboard()
        #expect(Self.press([.character("d")], on: &dashboard).isEmpty)
        #expect(dashboard.overlay == .confirm(.disconnect(peerID: self.peer)))
        #expect(Self.press([.character("n")], on: &dashboard).isEmpty)
        #expect(dashboard.overlay == .none)
        let commands = Self.press([.character("d"), .character("y")], on: &dashboard)
        #expect(commands.map(\.command) == [.disconnect(peerID: self.peer)])
    }

    @Test("a opens a prompt; typing, backspace and Enter dial the multiaddr; a wrong one is refused")
    func addPeer() {
        var dashboard = MonitorFixtures.busyDashboard()
        var commands = Self.press(
            [.character("a")] + Self.type("/ip4/10.0.0.9/tcp/600001") + [.backspace, .enter],
            on: &dashboard
        )
        #expect(commands.map(\.command) == [.addPeer(multiaddr: "/ip4/10.0.0.9/tcp/60000")])
        commands = Self.press([.character("a")] + Self.type("10.0.0.9") + [.enter], on: &dashboard)
        #expect(commands.isEmpty)
        #expect(dashboard.flash(at: Self.now)?.severity == .warning)
        #expect(dashboard.overlay == .prompt(Dashboard.Prompt(purpose: .addPeer, text: "10.0.0.9")))
        commands = Self.press([.escape, .character("q")], on: &dashboard)
        #expect(commands.isEmpty)
        #expect(dashboard.overlay == .confirm(.quit(liveSessions: 2)))
    }

    @Test("keys typed into a prompt are text, not commands")
    func promptSwallowsKeys() {
        var dashboard = MonitorFixtures.busyDashboard()
        let commands = Self.press([.character("/")] + Self.type("spq"), on: &dashboard)
        #expect(commands.isEmpty)
        #expect(!dashboard.isQuitRequested)
        #expect(dashboard.state.view.logFilter == "spq")
    }

    @Test("/ filters the log live; Enter keeps the filter, Esc clears it")
    func filterLog() {
        var dashboard = MonitorFixtures.busyDashboard()
        _ = Self.press([.character("/")] + Self.type("SESSION"), on: &dashboard)
        #expect(dashboard.state.view.focus == .log)
        let lines = dashboard.state.log.lines(matching: dashboard.state.view.logFilter)
        #expect(!lines.isEmpty && lines.allSatisfy { $0.kind == .session || $0.text.contains("session") })
        _ = Self.press([.enter], on: &dashboard)
        #expect(dashboard.overlay == .none && dashboard.state.view.logFilter == "SESSION")
        _ = Self.press([.escape], on: &dashboard)
        #expect(dashboard.state.view.logFilter.isEmpty)
    }

    @Test("q quits at once with no session running, asks while one runs, and q q quits")
    func quit() {
        var quiet = MonitorFixtures.quietDashboard()
        _ = Self.press([.character("q")], on: &quiet)
        #expect(quiet.isQuitRequested)
        var busy = MonitorFixtures.busyDashboard()
        _ = Self.press([.character("q")], on: &busy)
        #expect(!busy.isQuitRequested && busy.overlay == .confirm(.quit(liveSessions: 2)))
        _ = Self.press([.character("x")], on: &busy)
        #expect(!busy.isQuitRequested && busy.overlay == .none)
        _ = Self.press([.character("q"), .character("q")], on: &busy)
        #expect(busy.isQuitRequested)
    }

    @Test("? opens the help; any key closes it without acting")
    func help() {
        var dashboard = MonitorFixtures.busyDashboard()
        let commands = Self.press([.character("?"), .character("s")], on: &dashboard)
        #expect(commands.isEmpty && dashboard.overlay == .none)
    }

    @Test("Enter opens the selected peer's session; arrows pick rounds; Esc closes")
    func drillDown() {
        var dashboard = MonitorFixtures.busyDashboard()
        _ = Self.press([.enter], on: &dashboard)
        #expect(dashboard.state.view.drillDown == SessionID(47))
        #expect(dashboard.state.view.drillRound == nil)
        _ = Self.press([.up, .up, .up], on: &dashboard)
        #expect(dashboard.state.view.drillRound == 0)
        _ = Self.press([.down], on: &dashboard)
        #expect(dashboard.state.view.drillRound == 1)
        _ = Self.press([.escape], on: &dashboard)
        #expect(dashboard.state.view.drillDown == nil)
    }

    @Test("Enter on the rounds pane opens the selected session, finished ones too")
    func drillDownFromRounds() {
        var dashboard = MonitorFixtures.busyDashboard()
        _ = Self.press([.tab, .down, .down], on: &dashboard)
        #expect(dashboard.state.view.focus == .sessions)
        _ = Self.press([.enter], on: &dashboard)
        #expect(dashboard.state.view.drillDown == SessionID(45))
    }

    @Test("1-9 switch the watched node; commands then go to it; a missing node is reported")
    func watchNodes() {
        var dashboard = MonitorFixtures.busyDashboard()
        let commands = Self.press([.character("4"), .character("r")], on: &dashboard)
        #expect(dashboard.watched == 3)
        #expect(commands == [AddressedCommand(node: 3, command: .startResume)])
        _ = Self.press([.character("9")], on: &dashboard)
        #expect(dashboard.watched == 3)
        #expect(dashboard.flash(at: Self.now)?.text == "there is no node 9")
    }

    @Test("the log scrolls to older lines and back, and stops at the oldest")
    func logScroll() {
        var dashboard = MonitorFixtures.busyDashboard()
        for index in 0..<40 { dashboard.apply(.notice(Notice(.info, "line \(index)")), fromNode: 0, at: Self.now) }
        dashboard.resize(to: Size(width: 80, height: 24))
        _ = Self.press([.character("/"), .escape], on: &dashboard)
        #expect(dashboard.state.view.focus == .log)
        _ = Self.press([.up, .up], on: &dashboard)
        #expect(dashboard.state.view.logScroll == 2)
        _ = Self.press([.home], on: &dashboard)
        let oldest = dashboard.state.log.entries.count - dashboard.state.view.logRows
        #expect(dashboard.state.view.logScroll == oldest)
        _ = Self.press([.end], on: &dashboard)
        #expect(dashboard.state.view.logScroll == 0)
    }

    @Test("A audits the selected peer; R asks first, y audits and repairs, anything else cancels")
    func auditKeys() {
        var dashboard = MonitorFixtures.busyDashboard()
        #expect(
            Self.press([.character("A")], on: &dashboard).map(\.command) == [.audit(peerID: self.peer, repair: false)]
        )
        #expect(dashboard.state.log.entries.last?.text == "archive audit requested")
        #expect(Self.press([.character("R")], on: &dashboard).isEmpty)
        #expect(dashboard.overlay == .confirm(.auditRepair(peerID: self.peer)))
        #expect(Self.press([.character("n")], on: &dashboard).isEmpty && dashboard.overlay == .none)
        let commands = Self.press([.character("R"), .character("y")], on: &dashboard)
        #expect(commands.map(\.command) == [.audit(peerID: self.peer, repair: true)])
        var quiet = MonitorFixtures.quietDashboard()
        #expect(Self.press([.character("A")], on: &quiet).isEmpty)
        #expect(quiet.flash(at: Self.now)?.text == "no peer to audit")
    }

    @Test("in the Audit pane arrows move the hour cursor, Tab still leaves; elsewhere arrows switch panes")
    func auditCursor() {
        var dashboard = MonitorFixtures.auditDashboard()
        _ = Self.press([.right], on: &dashboard)
        #expect(dashboard.state.view.focus == .sessions)
        _ = Self.press([.left, .backTab, .backTab], on: &dashboard)
        #expect(dashboard.state.view.focus == .audit)
        let day = MonitorFixtures.now - MonitorFixtures.now % MonitorFixtures.day - MonitorFixtures.day
        // The cursor starts on the first differing hour: yesterday 03:00.
        _ = Self.press([.right, .right, .left], on: &dashboard)
        #expect(dashboard.state.view.auditCursor == day + 4 * MonitorFixtures.hour)
        _ = Self.press([.down], on: &dashboard)
        #expect(dashboard.state.view.auditCursor == day + MonitorFixtures.day + 4 * MonitorFixtures.hour)
        _ = Self.press([.down, .end], on: &dashboard)
        #expect(dashboard.state.view.auditCursor == day + 2 * MonitorFixtures.day - MonitorFixtures.hour)
        _ = Self.press([.home, .left], on: &dashboard)
        #expect(dashboard.state.view.auditCursor == day - MonitorFixtures.day)
        _ = Self.press([.tab], on: &dashboard)
        #expect(dashboard.state.view.focus == .log)
    }

    @Test("Enter on an hour lists its minutes; arrows scroll and change hours; Esc closes")
    func auditDrillDown() {
        var dashboard = MonitorFixtures.auditDashboard()
        _ = Self.press([.backTab, .backTab, .enter], on: &dashboard)
        let day = MonitorFixtures.now - MonitorFixtures.now % MonitorFixtures.day - MonitorFixtures.day
        #expect(dashboard.state.view.auditDrillDown == day + 3 * MonitorFixtures.hour)
        _ = Self.press([.down, .down, .pageDown], on: &dashboard)
        // 03:17: the minute, three hashes we lack and one the peer lacks.
        #expect(dashboard.state.view.auditDrillScroll == 4)
        _ = Self.press(Array(repeating: Key.right, count: 6), on: &dashboard)
        #expect(dashboard.state.view.auditDrillDown == day + 9 * MonitorFixtures.hour)
        #expect(dashboard.state.view.auditDrillScroll == 0)
        _ = Self.press([.escape], on: &dashboard)
        #expect(dashboard.state.view.auditDrillDown == nil && dashboard.flash(at: Self.now) == nil)
        var empty = MonitorFixtures.busyDashboard()
        _ = Self.press([.backTab, .backTab, .enter], on: &empty)
        #expect(empty.state.view.auditDrillDown == nil)
        #expect(empty.flash(at: Self.now)?.text == "no audit of this peer yet: A starts one")
    }
}
