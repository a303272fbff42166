/// The panes of the monitor, in the order Tab visits them.
package enum Pane: Int, CaseIterable, Sendable {
    case peers
    case sessions
    case missing
    case resume
    case archive
    case relay
    case audit
    case log

    /// The pane's title and the compact layout's tab name.
    package var title: String {
        switch self {
        case .peers: "Peers"
        case .sessions: "Rounds"
        case .missing: "Missing"
        case .resume: "Resume"
        case .archive: "Archive"
        case .relay: "Relay"
        case .audit: "Audit"
        case .log: "Log"
        }
    }

    var next: Pane { Pane(rawValue: (self.rawValue + 1) % Pane.allCases.count) ?? .peers }

    var previous: Pane {
        Pane(rawValue: (self.rawValue + Pane.allCases.count - 1) % Pane.allCases.count) ?? .peers
    }
}
