import Foundation
import MonitorUI
import NodeEvents
import Testing
import WakuTestSupport

@Suite("the key table")
struct KeyTableTests {
    @Test("no key is bound twice")
    func uniqueKeys() {
        var seen: [Key: Action] = [:]
        for binding in KeyTable.bindings {
            for key in binding.keys {
                #expect(seen[key] == nil, "\(key) is bound to \(seen[key].map { "\($0)" } ?? "") and \(binding.action)")
                seen[key] = binding.action
            }
        }
    }

    @Test("every action has exactly one binding with keys, a label and help")
    func everyActionBound() {
        for action in Action.allCases {
            let bindings = KeyTable.bindings.filter { $0.action == action }
            #expect(bindings.count == 1, "\(action)")
            #expect(bindings.allSatisfy { !$0.keys.isEmpty && !$0.label.isEmpty && !$0.help.isEmpty })
        }
    }

    @Test("the issue's keys are bound to what it asks for")
    func issueKeys() {
        let expected: [(Key, Action)] = [
            (.character("s"), .forceSync), (.character("S"), .syncAll), (.character("p"), .togglePause),
            (.character("r"), .startResume), (.character("a"), .addPeer), (.character("d"), .disconnect),
            (.enter, .drillDown), (.tab, .nextPane), (.up, .moveUp), (.down, .moveDown), (.character("j"), .moveDown),
            (.character("k"), .moveUp), (.character("/"), .filterLog), (.character("q"), .quit),
            (.character("?"), .help), (.character("1"), .watchNode), (.character("9"), .watchNode),
            (.character("P"), .publishTest), (.character("A"), .audit), (.character("R"), .audit),
            (.right, .nextPane), (.left, .previousPane), (.backTab, .previousPane),
        ]
        for (key, action) in expected { #expect(KeyTable.binding(for: key)?.action == action, "\(key)") }
    }

    /// A busy dashboard with the second peer selected, so moving up and down both change something.
    static func prepared(for action: Action) -> Dashboard {
        var dashboard = MonitorFixtures.busyDashboard()
        _ = dashboard.apply(.moveDown, at: MonitorFixtures.now)
        if action == .back { _ = dashboard.apply(.drillDown, at: MonitorFixtures.now) }
        return dashboard
    }

    @Test(
        "every bound key is handled: it changes the monitor or sends a command",
        arguments: KeyTable.bindings.map(\.action)
    )
    func everyKeyHandled(action: Action) throws {
        let binding = try #require(KeyTable.binding(for: action))
        for key in binding.keys {
            var dashboard = Self.prepared(for: action)
            let before = dashboard
            let command = dashboard.handle(key, at: MonitorFixtures.now)
            #expect(command != nil || dashboard != before, "\(key) (\(action)) did nothing")
        }
    }

    @Test("the footer shows every footer key at 160 columns (publish with relay on), and ? and q at 80")
    func footer() {
        let renderer = Renderer(theme: .colour, glyphs: .unicode)
        let wide = renderer.render(
            MonitorFixtures.relayDashboard(),
            size: Size(width: 160, height: 48),
            now: MonitorFixtures.now
        )
        let footer = String(wide.text.split(separator: "\n").last ?? "")
        for binding in KeyTable.bindings where binding.showsInFooter {
            #expect(footer.contains(binding.label), "\(binding.action) missing from \(footer)")
        }
        let narrow = renderer.render(
            MonitorFixtures.busyDashboard(),
            size: Size(width: 80, height: 24),
            now: MonitorFixtures.now
        )
        let narrowFooter = String(narrow.text.split(separator: "\n").last ?? "")
        #expect(narrowFooter.contains("? help") && narrowFooter.contains("q quit"))
    }

    @Test("the README key list comes from the table")
    func markdown() {
        for binding in KeyTable.bindings { #expect(KeyTable.markdown.contains(binding.help)) }
        Snapshot.check(text: KeyTable.markdown, named: "keys.md")
    }

    @Test("the README lists exactly the keys of the key table")
    func readmeKeys() throws {
        let readme = try String(
            contentsOf: Executables.packageRoot.appendingPathComponent("README.md"),
            encoding: .utf8
        )
        #expect(readme.contains(KeyTable.markdown), "paste Tests/MonitorUITests/Snapshots/keys.md into README.md")
    }
}
