internal import NodeEvents

/// The three header lines: who this node is and how it is doing, its facts, and its listen
/// address in full (so it can be copied into another node's `--peer`).
struct HeaderView {
    let dashboard: Dashboard

    func draw(in rect: Rect, on grid: inout CellGrid, context: RenderContext) {
        guard rect.height >= 3 else { return }
        let state = self.dashboard.state
        let bar = context.style(.header)
        grid.fill(Rect(x: rect.x, y: rect.y, width: rect.width, height: 1), style: bar)
        let tabs = self.nodeTabs(context: context, width: rect.width / 2)
        let tabsWidth = tabs.reduce(0) { $0 + $1.text.unicodeScalars.count }
        let identity = self.identity(state, context: context)
        grid.draw(identity, x: rect.x, y: rect.y, width: rect.width - tabsWidth - 1, context: context)
        grid.drawRightAligned(tabs, x: rect.x, y: rect.y, width: rect.width, context: context)
        grid.draw(
            self.facts(state, context: context),
            x: rect.x + 1,
            y: rect.y + 1,
            width: rect.width - 2,
            context: context
        )
        grid.draw(
            self.addresses(state, context: context),
            x: rect.x + 1,
            y: rect.y + 2,
            width: rect.width - 2,
            context: context
        )
    }

    private func identity(_ state: MonitorState, context: RenderContext) -> [Span] {
        var parts = ["wakusync", self.dashboard.nodes[self.dashboard.watched].name]
        if let info = state.node {
            parts.append(Format.peerID(info.peerID, ellipsis: context.glyphs.ellipsis))
            parts.append("up " + Format.span(from: info.startedAt, to: context.now))
            parts.append(self.status(state, context: context))
        } else {
            parts.append("waiting for the node to start")
        }
        return [Span(" " + parts.joined(separator: context.separator) + " ", .header)]
    }

    /// The one-glance health word, always with a glyph.
    private func status(_ state: MonitorState, context: RenderContext) -> String {
        let glyphs = context.glyphs
        if state.isStopping { return "\(glyphs.cross) stopping" }
        let connected = state.peers.values.filter { $0.state == .connected }.count
        if connected == 0 { return "\(glyphs.hollow) no peers" }
        if !state.liveSessions.isEmpty { return "\(glyphs.exchange) \(state.liveSessions.count) syncing" }
        let pending = state.transfers.values.reduce(0) { $0 + $1.queue.weNeedPending + $1.queue.theyNeedPending }
        if pending > 0 { return "\(glyphs.dotted) \(Format.count(pending)) in transfer" }
        if state.isInSync { return "\(glyphs.check) in sync" }
        return "\(glyphs.filled) \(connected) connected"
    }

    /// `1 node-1  2 node-2 …` on the right of the bar, the watched node marked; digits only when narrow.
    private func nodeTabs(context: RenderContext, width: Int) -> [Span] {
        let nodes = self.dashboard.nodes
        guard nodes.count > 1 else { return [] }
        for named in [true, false] {
            let spans = nodes.enumerated().map { index, node in
                let label = named ? "\(index + 1) \(node.name)" : "\(index + 1)"
                return index == self.dashboard.watched ? Span("[\(label)]", .activeTab) : Span(" \(label) ", .header)
            }
            let length = spans.reduce(0) { $0 + $1.text.unicodeScalars.count } + 1
            if length <= width || !named { return spans + [Span(" ", .header)] }
        }
        return []
    }

    private func facts(_ state: MonitorState, context: RenderContext) -> [Span] {
        guard let info = state.node else { return [Span("no node information yet", .dim)] }
        var spans: [Span] = []
        func add(_ label: String, _ value: String, _ role: Role = .normal) {
            if !spans.isEmpty { spans.append(Span(context.separator, .dim)) }
            if !label.isEmpty { spans.append(Span(label + " ", .dim)) }
            spans.append(Span(value, role))
        }
        let shards = info.shards.isEmpty ? "all" : info.shards.map(String.init).joined(separator: ",")
        add("cluster", "\(info.clusterID)")
        add("shards", shards)
        if let archive = state.archive {
            add("archive", "\(Format.count(archive.messages)) msgs \(Format.bytes(archive.bytes))", .accent)
        } else {
            add("archive", "-", .dim)
        }
        if let next = state.nextSyncAt {
            let due = next - context.now
            add(
                "next sync",
                due > 0 ? "in " + Format.span(seconds: (due + 999_999_999) / Format.nanosecondsPerSecond) : "due now"
            )
        } else {
            add("next sync", "off", .dim)
        }
        add("", "\(info.strategy), every \(Format.duration(info.syncInterval)) over \(Format.duration(info.syncRange))")
        return spans
    }

    private func addresses(_ state: MonitorState, context: RenderContext) -> [Span] {
        guard let info = state.node, let first = info.listenAddresses.first else {
            return [Span("listen ", .dim), Span("-", .dim)]
        }
        var spans = [Span("listen ", .dim), Span(first, .normal)]
        if info.listenAddresses.count > 1 {
            spans.append(Span("  +\(info.listenAddresses.count - 1) more (help screen lists all)", .dim))
        }
        return spans
    }
}
