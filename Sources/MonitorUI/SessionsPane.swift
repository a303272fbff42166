internal import NodeEvents

/// Reconciliation: live sessions with their latest rounds (ranges by type, bytes, items compared,
/// differences found), then finished sessions with outcome and duration. Enter opens one.
struct SessionsPane: PaneView {
    /// Round lines shown under each live session at most.
    static let roundsPerLiveSession = 3

    let state: MonitorState

    private static let columns: [Table.Column] = [
        .init(title: "ID", width: 5),
        .init(title: "PEER", width: 13),
        .init(title: "ROLE", width: 4, priority: 2),
        .init(title: "STATUS", width: 12),
        .init(title: "RND", width: 3, alignment: .right),
        .init(title: "IN", width: 9, alignment: .right, priority: 1),
        .init(title: "OUT", width: 9, alignment: .right, priority: 1),
        .init(title: "COMPARED", width: 8, alignment: .right, priority: 3),
        .init(title: "WE NEED", width: 7, alignment: .right),
        .init(title: "THEY NEED", width: 9, alignment: .right, priority: 1),
        .init(title: "TOOK", width: 6, alignment: .right),
        .init(title: "ENDED", width: 8, alignment: .right, priority: 2),
        .init(title: "DETAIL", width: 12, priority: 4, grows: true),
    ]

    func summary(context: RenderContext) -> [Span] {
        var spans = [self.badge(context: context) ?? Span("idle", .dim)]
        spans.append(Span("\(self.state.finishedSessions.count) finished", .dim))
        if let last = self.state.finishedSessions.first, let end = last.end {
            let glyph = end.outcome == .reconciled ? context.glyphs.check : context.glyphs.cross
            spans.append(
                Span(
                    "last \(glyph) \(Format.ago(end.endedAt, now: context.now))",
                    end.outcome == .reconciled ? .good : .error
                )
            )
        }
        return spans
    }

    func badge(context: RenderContext) -> Span? {
        let live = self.state.liveSessions.count
        return live > 0 ? Span("\(context.glyphs.exchange)\(live) live", .accent) : Span("idle", .dim)
    }

    func draw(in rect: Rect, focused: Bool, on grid: inout CellGrid, context: RenderContext) {
        var rows: [Table.Row] = []
        var selectedRow: Int?
        let selected = self.state.selectedSession?.id
        // Leave room for at least a few finished sessions under the live ones.
        let roundBudget = max(0, rect.height - 1 - self.state.liveSessions.count - 3)
        var roundsLeft = roundBudget
        for session in self.state.sessionRows {
            if session.id == selected { selectedRow = rows.count }
            rows.append(.cells(self.cells(session, context: context)))
            guard session.isLive, roundsLeft > 0 else { continue }
            for round in session.rounds.suffix(min(Self.roundsPerLiveSession, roundsLeft)) {
                rows.append(.line(Self.roundLine(round, context: context)))
                roundsLeft -= 1
            }
        }
        Table(
            columns: Self.columns,
            rows: rows,
            selected: selectedRow,
            isFocused: focused,
            placeholder: "no sessions yet: s syncs the selected peer, S every peer"
        ).draw(in: rect, on: &grid, context: context)
    }

    private func cells(_ session: SessionRecord, context: RenderContext) -> [Span] {
        let glyphs = context.glyphs
        let status: Span
        var detail = Span("")
        switch session.end?.outcome {
        case nil: status = Span("\(glyphs.exchange) live", .accent)
        case .reconciled: status = Span("\(glyphs.check) reconciled", .good)
        case .scopeMismatch: status = Span("\(glyphs.cross) no overlap", .warning)
        case .failed(let reason):
            status = Span("\(glyphs.cross) failed", .error)
            detail = Span(reason, .error)
        }
        let role: String =
            switch session.role {
            case .initiator: "init"
            case .responder: "resp"
            case nil: "?"
            }
        return [
            Span(session.id.description, .dim),
            Span(context.peer(session.peerID)),
            Span(role, .dim),
            status,
            Span("\(session.roundCount)"),
            Span(Format.bytes(session.bytesReceived)),
            Span(Format.bytes(session.bytesSent)),
            Span(Format.compactCount(session.itemsCompared)),
            Span(Format.compactCount(session.weNeed), session.weNeed > 0 ? .accent : .normal),
            Span(Format.compactCount(session.theyNeed), session.theyNeed > 0 ? .accent : .normal),
            Span(Format.duration(session.duration(at: context.now))),
            Span(session.end.map { Format.ago($0.endedAt, now: context.now) } ?? "now", .dim),
            detail,
        ]
    }

    /// `  r3  in 16 fp  2 skip  4 set/37   out  8 fp …  found +2 we +1 they  1.9 KiB/1.5 KiB  compared 111`:
    /// the ranges of each direction by type first, then what the round found, bytes, items compared.
    static func roundLine(_ round: SessionRound, context: RenderContext) -> [Span] {
        [
            Span("  " + Table.leftPad("r\(round.number)", 4) + "  ", .dim),
            Span("in ", .dim), Span(Self.tally(round.received)),
            Span("  out ", .dim), Span(Self.tally(round.sent)),
            Span("  found ", .dim), Span("+\(round.newWeNeed)", round.newWeNeed > 0 ? .accent : .normal),
            Span(" we ", .dim), Span("+\(round.newTheyNeed)", round.newTheyNeed > 0 ? .accent : .normal),
            Span(" they  ", .dim),
            Span(Format.bytes(round.bytesReceived)), Span("/", .dim), Span(Format.bytes(round.bytesSent)),
            Span("  compared ", .dim), Span(Format.compactCount(round.itemsCompared)),
        ]
    }

    /// `16 fp  2 skip  4 set/37`, padded so consecutive rounds line up.
    static func tally(_ tally: RangeTally) -> String {
        Table.leftPad("\(tally.fingerprint)", 2) + " fp " + Table.leftPad("\(tally.skip)", 2) + " skip "
            + Table.leftPad("\(tally.itemSet)", 2) + " set/" + "\(tally.items)".padding(3)
    }
}

extension String {
    /// The string with spaces added on the right up to `width` cells.
    func padding(_ width: Int) -> String {
        let count = self.unicodeScalars.count
        return count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
