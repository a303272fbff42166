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
        // The richest identity that fits beside the node tabs, named tabs before digits.
        var (identity, tabs) = ("", [Span]())
        search: for variant in self.identities(state, context: context) {
            for named in [true, false] {
                (identity, tabs) = (variant, self.nodeTabs(named: named))
                if variant.unicodeScalars.count + Self.width(of: tabs) <= rect.width { break search }
            }
        }
        let tabsWidth = Self.width(of: tabs)
        grid.put(identity, x: rect.x, y: rect.y, style: bar, limit: rect.width - tabsWidth)
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

    /// The bar's text from richest to barest: the status always stays; the product name, the
    /// peer ID and the uptime go first when the bar is narrow.
    private func identities(_ state: MonitorState, context: RenderContext) -> [String] {
        let name = self.dashboard.nodes[self.dashboard.watched].name
        guard let info = state.node else { return [" \(name)\(context.separator)waiting for the node to start "] }
        let status = self.status(state, context: context)
        let uptime = "up " + Format.span(from: info.startedAt, to: context.now)
        let peer = Format.peerID(info.peerID, ellipsis: context.glyphs.ellipsis)
        return [
            ["wakusync", name, status, uptime, peer], [name, status, uptime, peer], [name, status, uptime],
            [name, status],
        ].map { " " + $0.joined(separator: context.separator) + " " }
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

    private static func width(of spans: [Span]) -> Int { spans.reduce(0) { $0 + $1.text.unicodeScalars.count } }

    /// `1 node-1  2 node-2 …` on the right of the bar, the watched node marked; digits only when narrow.
    private func nodeTabs(named: Bool) -> [Span] {
        let nodes = self.dashboard.nodes
        guard nodes.count > 1 else { return [] }
        let spans = nodes.enumerated().map { index, node in
            let label = named ? "\(index + 1) \(node.name)" : "\(index + 1)"
            return index == self.dashboard.watched ? Span("[\(label)]", .activeTab) : Span(" \(label) ", .header)
        }
        return spans + [Span(" ", .header)]
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
            if !info.archive.isEmpty { spans.append(Span(" " + Format.archiveBackend(info.archive), .dim)) }
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
