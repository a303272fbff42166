/// Where each part of the screen goes at a given size: a pure function of the size (and, in the
/// compact layout, of which tab is active), so panes never jump as content changes.
///
/// - Below 80×24: nothing but a message saying so.
/// - Compact (from 80×24): a three-line header, a tab bar, one pane at a time (Tab switches),
///   the footer.
/// - Rich (from 140×36): the header, then two columns of boxed panes — peers, rounds, relay and
///   missing hashes on the left; archive, audit, resume and the log on the right — and the footer.
///   The relay box is one line ("relay off") unless the node runs relay.
package struct Layout: Equatable, Sendable {
    /// Which of the three layouts applies.
    package enum Kind: Equatable, Sendable {
        case tooSmall
        case compact
        case rich
    }

    /// The smallest size that gets the multi-pane layout.
    package static let richMinimum = Size(width: 140, height: 36)
    /// Rows of the header.
    static let headerRows = 3

    /// The screen it lays out.
    package let size: Size
    /// Which layout.
    package let kind: Kind
    /// The three header lines (the whole screen when too small).
    package let header: Rect
    /// The compact layout's tab bar (empty in the rich layout).
    package let tabs: Rect
    /// Everything between the header (or tab bar) and the footer.
    package let body: Rect
    /// The key hints line.
    package let footer: Rect
    /// The rich layout's pane boxes (empty in the compact layout, where the active pane fills ``body``).
    package let panes: [Pane: Rect]

    /// Rows of the rich layout's relay box when relay is off: its borders and one line.
    static let relayOffRows = 3

    /// The layout at `size`; `peerRows` (the number of peers) sizes the rich layout's peers pane
    /// to its table, and `runsRelay` gives its relay pane room.
    package init(size: Size, peerRows: Int = 8, runsRelay: Bool = false) {
        self.size = size
        let screen = Rect(size)
        guard size.contains(Size.minimum) else {
            self.kind = .tooSmall
            (self.header, self.tabs, self.body, self.footer) = (Rect(size), Rect(.zero), Rect(.zero), Rect(.zero))
            self.panes = [:]
            return
        }
        self.kind = size.contains(Self.richMinimum) ? .rich : .compact
        let (header, rest) = screen.splitTop(Self.headerRows)
        self.header = header
        self.footer = Rect(x: 0, y: size.height - 1, width: size.width, height: 1)
        let middle = Rect(x: 0, y: rest.y, width: size.width, height: rest.height - 1)
        if self.kind == .compact {
            let (tabs, body) = middle.splitTop(1)
            (self.tabs, self.body) = (tabs, body)
            self.panes = [:]
        } else {
            self.tabs = Rect(.zero)
            self.body = middle
            self.panes = Self.richPanes(in: middle, peerRows: peerRows, runsRelay: runsRelay)
        }
    }

    /// Log lines visible at this size (for page-wise scrolling).
    package var logRows: Int {
        switch self.kind {
        case .tooSmall: 1
        // The log pane draws one line of column headings.
        case .compact: max(1, self.body.height - 1)
        case .rich: max(1, (self.panes[.log]?.height ?? 3) - 3)
        }
    }

    private static func richPanes(in body: Rect, peerRows: Int, runsRelay: Bool) -> [Pane: Rect] {
        let leftWidth = max(90, body.width * 58 / 100)
        let (left, right) = body.splitLeft(leftWidth)
        // Borders, headings, the peers, a blank line and three lines of details.
        let peersRows = min(max(9, peerRows + 7), left.height * 40 / 100)
        let rest = left.height - peersRows
        // Relay: its topics, two lines of totals and the last messages.
        let relayRows = runsRelay ? max(8, rest * 35 / 100) : Self.relayOffRows
        let roundsRows = max(8, (rest - relayRows) * 55 / 100)
        let leftPanes = left.rows([peersRows, roundsRows, relayRows, 0])
        // Audit: its status, the hour labels, three days of the map and the hour under the cursor
        // at least; the report's figures too from about 60 rows.
        let archiveRows = max(10, right.height * 33 / 100)
        let auditRows = max(8, right.height * 22 / 100)
        let rightPanes = right.rows([archiveRows, auditRows, 7, 0])
        return [
            .peers: leftPanes[0], .sessions: leftPanes[1], .relay: leftPanes[2], .missing: leftPanes[3],
            .archive: rightPanes[0], .audit: rightPanes[1], .resume: rightPanes[2], .log: rightPanes[3],
        ]
    }
}

extension Size {
    static let zero = Size(width: 0, height: 0)
}
