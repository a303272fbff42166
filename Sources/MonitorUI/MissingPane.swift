internal import NodeEvents

/// The missing-hash queues per peer: what we still need from it and what it still needs from us,
/// progress, rate, and the newest hashes on each side for the selected peer.
struct MissingPane: PaneView {
    let state: MonitorState

    private static let columns: [Table.Column] = [
        .init(title: "PEER", width: 13),
        .init(title: "WE NEED", width: 7, alignment: .right),
        .init(title: "PROGRESS", width: 17),
        .init(title: "RATE", width: 7, alignment: .right),
        .init(title: "RECEIVED", width: 8, alignment: .right, priority: 2),
        .init(title: "FETCHED", width: 7, alignment: .right, priority: 2),
        .init(title: "UNAVAILABLE", width: 11, alignment: .right, priority: 3),
        .init(title: "THEY NEED", width: 9, alignment: .right),
        .init(title: "SENT", width: 7, alignment: .right, priority: 1),
    ]

    private var totals: (weNeed: Int, theyNeed: Int) {
        self.state.transfers.values.reduce((0, 0)) { ($0.0 + $1.queue.weNeedPending, $0.1 + $1.queue.theyNeedPending) }
    }

    func summary(context: RenderContext) -> [Span] {
        let (weNeed, theyNeed) = self.totals
        let rate = self.state.transfers.values.reduce(0) { $0 + $1.rate(at: context.now) }
        return [
            Span("we need \(Format.count(weNeed))", weNeed > 0 ? .warning : .good),
            Span("they need \(Format.count(theyNeed))", theyNeed > 0 ? .warning : .good),
            Span(Format.rate(rate), .dim),
        ]
    }

    func preferredHeight(width: Int) -> Int {
        let peers = self.state.transferPeers
        let selected = self.state.selectedPeer?.peerID
        let focusPeer = peers.first { $0 == selected } ?? peers.first
        let lists = self.longestHashList(focusPeer)
        return max(2, peers.count + 1) + (lists > 0 ? 2 + min(5, lists) : 0)
    }

    func badge(context: RenderContext) -> Span? {
        let (weNeed, theyNeed) = self.totals
        let pending = weNeed + theyNeed
        return pending > 0 ? Span(Format.compactCount(pending), .warning) : Span("0", .good)
    }

    func draw(in rect: Rect, focused: Bool, on grid: inout CellGrid, context: RenderContext) {
        let peers = self.state.transferPeers
        let selected = self.state.selectedPeer?.peerID
        let selectedRow = peers.firstIndex { $0 == selected }
        let table = Table(
            columns: Self.columns,
            rows: peers.compactMap { id in self.state.transfers[id].map { .cells(self.cells(id, $0, context: context)) }
            },
            selected: selectedRow,
            isFocused: focused,
            placeholder: "nothing missing: reconciliation has not found differences yet"
        )
        let focusPeer = selectedRow.map { peers[$0] } ?? peers.first
        let listRows = 1 + min(5, self.longestHashList(focusPeer))
        guard let focusPeer, let track = self.state.transfers[focusPeer], listRows > 1,
            rect.height >= peers.count + 2 + listRows
        else {
            table.draw(in: rect, on: &grid, context: context)
            return
        }
        let tableHeight = peers.count + 1
        table.draw(in: Rect(x: rect.x, y: rect.y, width: rect.width, height: tableHeight), on: &grid, context: context)
        let lists = Rect(x: rect.x, y: rect.y + tableHeight + 1, width: rect.width, height: listRows)
        let half = lists.width / 2
        let name = context.peer(focusPeer)
        self.drawHashes(
            "newest we need from \(name)",
            track.queue.newestWeNeed,
            in: lists.splitLeft(half).left,
            on: &grid,
            context: context
        )
        self.drawHashes(
            "newest \(name) needs",
            track.queue.newestTheyNeed,
            in: lists.splitLeft(half).rest,
            on: &grid,
            context: context
        )
    }

    private func longestHashList(_ peerID: String?) -> Int {
        guard let peerID, let queue = self.state.transfers[peerID]?.queue else { return 0 }
        return max(queue.newestWeNeed.count, queue.newestTheyNeed.count)
    }

    private func cells(_ peerID: String, _ track: TransferTrack, context: RenderContext) -> [Span] {
        let queue = track.queue
        let barWidth = 10
        let filled = Int((track.fraction * Double(barWidth)).rounded(.down))
        let bar =
            String(repeating: Character(context.glyphs.barFull), count: filled)
            + String(repeating: Character(context.glyphs.barEmpty), count: barWidth - filled)
        return [
            Span(context.peer(peerID)),
            Span(Format.compactCount(queue.weNeedPending), queue.weNeedPending > 0 ? .warning : .normal),
            Span("\(bar) \(Format.percent(track.fraction))", track.fraction >= 1 ? .good : .chart),
            Span(Format.rate(track.rate(at: context.now))),
            Span(Format.compactCount(queue.received)),
            Span(Format.compactCount(queue.fetched)),
            Span(Format.compactCount(queue.unavailable), queue.unavailable > 0 ? .warning : .normal),
            Span(Format.compactCount(queue.theyNeedPending), queue.theyNeedPending > 0 ? .warning : .normal),
            Span(Format.compactCount(queue.sent)),
        ]
    }

    private func drawHashes(
        _ title: String,
        _ hashes: [PendingHash],
        in rect: Rect,
        on grid: inout CellGrid,
        context: RenderContext
    ) {
        grid.withClip(rect) { grid in
            grid.put(context.fit(title, rect.width - 2), x: rect.x + 2, y: rect.y, style: context.style(.columnHeader))
            if hashes.isEmpty {
                grid.put("none", x: rect.x + 2, y: rect.y + 1, style: context.style(.dim))
            }
            for (offset, hash) in hashes.prefix(rect.height - 1).enumerated() {
                let spans = [
                    Span(Format.hash(hash.hash, ellipsis: context.glyphs.ellipsis), .normal),
                    Span("  " + context.clockMilliseconds(hash.timestamp), .dim),
                    Span("  " + Format.ago(hash.timestamp, now: context.now), .dim),
                ]
                grid.draw(spans, x: rect.x + 2, y: rect.y + 1 + offset, width: rect.width - 3, context: context)
            }
        }
    }
}
