/// The one key table: it drives the key handling, the footer, the help screen and the README's
/// key list (STYLE.md §12).
package enum KeyTable {
    /// Every binding, in help-screen order; no key appears twice (tested).
    package static let bindings: [KeyBinding] = [
        KeyBinding(
            keys: [.character("s")],
            action: .forceSync,
            label: "sync",
            help: "Reconcile with the selected peer now",
            showsInFooter: true,
            section: .actions
        ),
        KeyBinding(
            keys: [.character("S")],
            action: .syncAll,
            label: "all",
            help: "Reconcile with every eligible peer now",
            showsInFooter: true,
            section: .actions
        ),
        KeyBinding(
            keys: [.character("p")],
            action: .togglePause,
            label: "pause",
            help: "Pause or unpause the selected peer",
            showsInFooter: true,
            section: .actions
        ),
        KeyBinding(
            keys: [.character("r")],
            action: .startResume,
            label: "resume",
            help: "Run Store Resume now",
            showsInFooter: true,
            section: .actions
        ),
        KeyBinding(
            keys: [.character("a")],
            action: .addPeer,
            label: "add",
            help: "Add a peer by multiaddr (dialled, kept static)",
            showsInFooter: true,
            section: .actions
        ),
        KeyBinding(
            keys: [.character("d")],
            action: .disconnect,
            label: "drop",
            help: "Disconnect the selected peer (asks first)",
            showsInFooter: true,
            section: .actions
        ),
        KeyBinding(
            keys: [.character("P")],
            action: .publishTest,
            label: "publish",
            help: "Publish a test message through relay (with --relay)",
            showsInFooter: true,
            section: .actions
        ),
        KeyBinding(
            keys: [.character("A"), .character("R")],
            action: .audit,
            label: "audit",
            help: "Audit the selected peer; R repairs too (asks first)",
            showsInFooter: true,
            section: .actions
        ),
        KeyBinding(
            keys: [.enter],
            action: .drillDown,
            label: "rounds",
            help: "Open a session's rounds, or an audited hour",
            showsInFooter: true,
            section: .views
        ),
        KeyBinding(
            keys: [.tab, .right],
            action: .nextPane,
            label: "pane",
            help: "Next pane; in the Audit map, the next hour",
            showsInFooter: true,
            section: .views
        ),
        KeyBinding(
            keys: [.backTab, .left],
            action: .previousPane,
            label: "back",
            help: "Previous pane; in the Audit map, the hour before",
            showsInFooter: false,
            section: .views
        ),
        KeyBinding(
            keys: [.up, .character("k")],
            action: .moveUp,
            label: "up",
            help: "Row above; in the log, older lines",
            showsInFooter: false,
            section: .views
        ),
        KeyBinding(
            keys: [.down, .character("j")],
            action: .moveDown,
            label: "down",
            help: "Row below; in the log, newer lines",
            showsInFooter: false,
            section: .views
        ),
        KeyBinding(
            keys: [.pageUp],
            action: .pageUp,
            label: "page up",
            help: "Ten rows up (log, drill-down ranges)",
            showsInFooter: false,
            section: .views
        ),
        KeyBinding(
            keys: [.pageDown],
            action: .pageDown,
            label: "page down",
            help: "Ten rows down",
            showsInFooter: false,
            section: .views
        ),
        KeyBinding(
            keys: [.home, .character("g")],
            action: .top,
            label: "top",
            help: "First row; in the log, the oldest line",
            showsInFooter: false,
            section: .views
        ),
        KeyBinding(
            keys: [.end, .character("G")],
            action: .bottom,
            label: "bottom",
            help: "Last row; in the log, follow new lines",
            showsInFooter: false,
            section: .views
        ),
        KeyBinding(
            keys: [.character("/")],
            action: .filterLog,
            label: "filter",
            help: "Filter the log as you type (Esc clears)",
            showsInFooter: true,
            section: .views
        ),
        KeyBinding(
            keys: [.escape],
            action: .back,
            label: "close",
            help: "Close details or help, cancel, clear filter",
            showsInFooter: false,
            section: .views
        ),
        KeyBinding(
            keys: (1...9).map { .character(Character(String($0))) },
            action: .watchNode,
            label: "node",
            help: "Watch node 1-9 of the cluster (demo)",
            showsInFooter: true,
            section: .monitor,
            keysLabel: "1-9"
        ),
        KeyBinding(
            keys: [.character("?")],
            action: .help,
            label: "help",
            help: "Show or hide this help",
            showsInFooter: true,
            section: .monitor
        ),
        KeyBinding(
            keys: [.character("q")],
            action: .quit,
            label: "quit",
            help: "Quit (asks while a session runs); Ctrl-C: now",
            showsInFooter: true,
            section: .monitor
        ),
    ]

    private static let byKey: [Key: KeyBinding] = {
        var table: [Key: KeyBinding] = [:]
        for binding in Self.bindings {
            for key in binding.keys { table[key] = binding }
        }
        return table
    }()

    /// The key of the audit binding that also repairs.
    package static let repairKey = Key.character("R")

    /// The binding a key triggers outside prompts and confirmations.
    package static func binding(for key: Key) -> KeyBinding? { Self.byKey[key] }

    /// The bindings of an action.
    package static func binding(for action: Action) -> KeyBinding? {
        Self.bindings.first { $0.action == action }
    }

    /// The key list as a Markdown table, for the README.
    package static var markdown: String {
        var lines = ["| keys | what it does |", "| --- | --- |"]
        for section in KeyBinding.Section.allCases {
            lines.append("| **\(section.rawValue)** | |")
            for binding in Self.bindings where binding.section == section {
                let keys = binding.keyNames(.unicode).split(separator: " ").map { "`\($0)`" }.joined(separator: " ")
                lines.append("| \(keys) | \(binding.help) |")
            }
        }
        lines.append("| **In a prompt or confirmation** | |")
        lines.append(
            "| `Enter` `Esc` `y` | Enter accepts, Esc cancels; `y` confirms a question, any other key says no |"
        )
        return lines.joined(separator: "\n") + "\n"
    }
}
