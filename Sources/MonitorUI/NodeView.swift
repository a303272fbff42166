package import NodeEvents

/// What the operator is looking at on one node: focus, selections, drill-down and log position.
///
/// Selections hold identifiers, not row numbers, so they survive peers coming and going.
package struct NodeView: Equatable, Sendable {
    /// The focused pane (the active tab in the compact layout).
    package var focus: Pane = .peers
    /// The selected peer (peers and missing panes); nil selects the first.
    package var selectedPeerID: String?
    /// The selected session of the rounds pane; nil selects the first.
    package var selectedSessionID: SessionID?
    /// The session shown full-screen with its rounds, if any.
    package var drillDown: SessionID?
    /// The round selected in the drill-down, as an index into the kept rounds; nil follows the latest.
    package var drillRound: Int?
    /// How far the drill-down's range lists are scrolled.
    package var drillScroll = 0
    /// The hour under the Audit map's cursor (its start, nanoseconds since the epoch); nil puts
    /// the cursor on the first differing hour, else the last one audited.
    package var auditCursor: Int64?
    /// The hour whose minutes and hashes are shown full-screen (its start), if any.
    package var auditDrillDown: Int64?
    /// Lines scrolled down in the audit drill-down.
    package var auditDrillScroll = 0
    /// Lines scrolled up from the newest log line (0 follows new lines).
    package var logScroll = 0
    /// How many log lines the log pane shows at the current screen size (set by ``Dashboard``),
    /// so scrolling stops with the oldest line at the top.
    package var logRows = 10
    /// Only log lines containing this (case-insensitive) are shown.
    package var logFilter = ""

    /// The first pane focused, nothing selected.
    package init() {}
}
