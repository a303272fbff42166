import MonitorUI
import NodeEvents
import Testing
import WakuTestSupport

@Suite("the relay pane, its events and its key")
struct RelayMonitorTests {
    static let now = MonitorFixtures.now
    static let second = MonitorFixtures.second

    static func render(
        _ dashboard: Dashboard,
        _ size: Size,
        theme: Theme = .colour,
        glyphs: GlyphSet = .unicode
    )
        -> CellGrid
    {
        Renderer(theme: theme, glyphs: glyphs).render(dashboard, size: size, now: Self.now)
    }

    static func focused(on pane: Pane, _ dashboard: Dashboard) -> Dashboard {
        var dashboard = dashboard
        while dashboard.state.view.focus != pane { _ = dashboard.apply(.nextPane, at: Self.now) }
        return dashboard
    }

    @Test("statuses give per-topic and total rates over the last ten seconds, read as 0 once stale")
    func statusRates() {
        var state = MonitorState()
        #expect(!state.runsRelay)
        for secondsAgo in stride(from: Int64(10), through: 1, by: -1) {
            state.apply(
                .relayStatus(MonitorFixtures.relayStatus(secondsAgo: secondsAgo)),
                at: Self.now - secondsAgo * Self.second
            )
        }
        #expect(state.runsRelay)
        #expect(state.relay.status == MonitorFixtures.relayStatus(secondsAgo: 1))
        #expect(state.relay.rate(MonitorFixtures.relayTopics[0], at: Self.now) == 3)
        #expect(state.relay.rate(MonitorFixtures.relayTopics[1], at: Self.now) == 1)
        #expect(state.relay.rate(nil, at: Self.now) == 4)
        #expect(state.relay.rate("/not/ours", at: Self.now) == 0)
        #expect(state.relay.rate(nil, at: Self.now + 10 * Self.second) == 0)
        // Statuses are not log lines.
        #expect(state.log.entries.isEmpty)
    }

    @Test("relayed messages are kept newest first, at most a screenful")
    func messagesBounded() {
        var state = MonitorState()
        for index in 0..<(RelayHistory.messageLimit + 5) {
            let message = RelayedMessage(
                peerID: "p",
                pubsubTopic: "/waku/2/rs/1/0",
                bytes: index,
                forwardedTo: 1,
                ephemeral: false,
                hash: "\(index)"
            )
            state.apply(.relayed(message), at: Self.now + Int64(index))
        }
        #expect(state.relay.messages.count == RelayHistory.messageLimit)
        #expect(state.relay.messages.first?.message.hash == "\(RelayHistory.messageLimit + 4)")
        #expect(state.relay.messages.first?.time == Self.now + Int64(RelayHistory.messageLimit + 4))
    }

    @Test("a node that announces relay topics runs relay before its first status")
    func runsRelayFromNodeInfo() {
        var state = MonitorState()
        var info = MonitorFixtures.nodeInfo(index: 0)
        info.relayTopics = MonitorFixtures.relayTopics
        state.apply(.started(info), at: Self.now)
        #expect(state.runsRelay)
        let grid = Self.render(
            {
                var dashboard = Dashboard(nodeNames: ["default"])
                dashboard.apply(.started(info), fromNode: 0, at: Self.now)
                return Self.focused(on: .relay, dashboard)
            }(),
            Size(width: 80, height: 24)
        )
        #expect(grid.text.contains("relay is starting on /waku/2/rs/1/0, /waku/2/rs/1/1"))
    }

    @Test("P asks a relay node to publish a test message; without relay it says so and sends nothing")
    func publishKey() {
        var off = MonitorFixtures.busyDashboard()
        #expect(off.handle(.character("P"), at: Self.now) == nil)
        #expect(off.flash(at: Self.now)?.text == "relay is off on this node (start it with --relay)")
        var on = MonitorFixtures.relayDashboard()
        #expect(on.handle(.character("P"), at: Self.now) == AddressedCommand(node: 0, command: .publishTest))
        #expect(on.state.log.entries.last?.text == "test message publish requested")
        #expect(on.state.log.entries.last?.kind == .command)
    }

    @Test("the peers pane marks mesh peers with M, and says so in the selected peer's details")
    func meshMarker() {
        let grid = Self.render(MonitorFixtures.relayDashboard(), Size(width: 200, height: 60))
        let lines = grid.text.split(separator: "\n")
        #expect(lines.contains { $0.contains("node-2") && $0.contains("connected M") })
        #expect(lines.contains { $0.contains("node-3") && $0.contains("connected ") && !$0.contains("connected M") })
        #expect(grid.text.contains("in our relay mesh"))
    }

    @Test(
        "the relay tab and the rich layout with relay on",
        arguments: [Size(width: 80, height: 24), Size(width: 200, height: 60)]
    )
    func relayOn(size: Size) {
        let dashboard = Self.focused(on: .relay, MonitorFixtures.relayDashboard())
        Snapshot.check(Self.render(dashboard, size), named: "relay-on-\(size.width)x\(size.height)")
    }

    @Test(
        "the relay tab and the rich layout with relay off",
        arguments: [Size(width: 80, height: 24), Size(width: 200, height: 60)]
    )
    func relayOff(size: Size) {
        let dashboard = Self.focused(on: .relay, MonitorFixtures.busyDashboard())
        let grid = Self.render(dashboard, size)
        #expect(grid.text.contains("relay off (start with --relay)"))
        if size.width == 80 {
            // The Relay tab costs the tab bar room: quiet badges go, the log's warnings stay.
            #expect(grid.text.contains("│ Log 6!"))
        }
        Snapshot.check(grid, named: "relay-off-\(size.width)x\(size.height)", styles: false)
    }

    @Test("the relay pane in monochrome and in ASCII")
    func relayGlyphs() {
        let dashboard = Self.focused(on: .relay, MonitorFixtures.relayDashboard())
        let size = Size(width: 80, height: 24)
        Snapshot.check(Self.render(dashboard, size, theme: .monochrome), named: "relay-on-mono-80x24")
        let ascii = Self.render(dashboard, size, glyphs: .ascii)
        #expect(ascii.cells.allSatisfy { $0.scalar.isASCII })
        Snapshot.check(ascii, named: "relay-on-ascii-80x24", styles: false)
    }
}
