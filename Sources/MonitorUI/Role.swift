/// What a piece of text means on screen; a ``Theme`` turns it into a ``Style``.
///
/// Meaning is never carried by colour alone: every role that signals a state is drawn next to a
/// glyph or a word that says the same, so the monochrome theme loses nothing.
package enum Role: Int, Hashable, Sendable, CaseIterable {
    case normal
    /// Secondary text: units, timestamps, placeholders.
    case dim
    /// The top bar.
    case header
    /// Pane borders and titles.
    case border
    case title
    /// The border and title of the focused pane.
    case focusBorder
    case focusTitle
    /// Table column headings.
    case columnHeader
    /// The selected row.
    case selection
    /// Healthy, finished, connected.
    case good
    /// Needs attention: backing off, paused, pending.
    case warning
    /// Failed, disconnected, errors.
    case error
    /// Emphasised numbers and live activity.
    case accent
    /// Key names in the footer and help screen.
    case key
    /// The active tab of the compact layout.
    case activeTab
    /// Bars and sparklines.
    case chart
}
