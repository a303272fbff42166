internal import NodeEvents

/// Waku Relay: per topic the mesh, the message rate and what the router counted; totals with the
/// control traffic; then the last messages relay accepted. Says so when relay is off.
struct RelayPane: PaneView {
    let state: MonitorState

    private static let topicColumns: [Table.Column] = [
        .init(title: "PUBSUB TOPIC", width: 16, grows: true),
        .init(title: "MESH", width: 4, alignment: .right),
        .init(title: "PEERS", width: 5, alignment: .right, priority: 3),
        .init(title: "MSG/S", width: 6, alignment: .right),
        .init(title: "RECV", width: 6, alignment: .right, priority: 1),
        .init(title: "FWD", width: 6, alignment: .right, priority: 1),
        .init(title: "DUP", width: 6, alignment: .right, priority: 1),
        .init(title: "INVALID", width: 7, alignment: .right, priority: 1),
        .init(title: "IHAVE I/O", width: 9, alignment: .right, priority: 2),
        .init(title: "GRAFT I/O", width: 9, alignment: .right, priority: 2),
        .init(title: "PRUNE I/O", width: 9, alignment: .right, priority: 3),
        .init(title: "PUB", width: 5, alignment: .right, priority: 4),
    ]

    private static let messageColumns: [Table.Column] = [
        .init(title: "AGE", width: 8),
        .init(title: "HASH", width: 13),
        .init(title: "PUBSUB TOPIC", width: 16, priority: 1, grows: true),
        .init(title: "SIZE", width: 9, alignment: .right),
        .init(title: "FROM", width: 13),
        .init(title: "FWD", width: 4, alignment: .right, priority: 2),
    ]

    /// Lines besides the tables' rows: the topics' heading, two lines of totals, a blank line and
    /// the messages' heading.
    private static let fixedRows = 5

    func summary(context: RenderContext) -> [Span] {
        guard self.state.runsRelay else { return [Span("off", .dim)] }
        guard let status = self.state.relay.status else { return [Span("starting", .dim)] }
        let mesh = status.meshPeers.count
        return [
            Span("mesh \(mesh)", mesh > 0 ? .good : .warning),
            Span(Format.rate(self.state.relay.rate(nil, at: context.now)), .normal),
        ]
    }

    func badge(context: RenderContext) -> Span? {
        guard let status = self.state.relay.status else { return nil }
        guard !status.meshPeers.isEmpty else { return Span("no mesh", .warning) }
        return Span(Format.rate(self.state.relay.rate(nil, at: context.now)), .normal)
    }

    func preferredHeight(width: Int) -> Int {
        guard let status = self.state.relay.status else { return 1 }
        return Self.fixedRows + status.topics.count + max(1, self.state.relay.messages.count)
    }

    func draw(in rect: Rect, focused: Bool, on grid: inout CellGrid, context: RenderContext) {
        let x = rect.x + 2
        guard let status = self.state.relay.status else {
            let text =
                self.state.runsRelay
                ? "relay is starting on \(self.state.node?.relayTopics.joined(separator: ", ") ?? "its topics")"
                : "relay off (start with --relay)"
            grid.draw([Span(text, .dim)], x: x, y: rect.y, width: rect.width - 3, context: context)
            return
        }
        let topics = Table(
            columns: Self.topicColumns,
            rows: status.topics.map { .cells(self.cells($0, context: context)) },
            selected: nil,
            isFocused: focused,
            placeholder: "no relay topics"
        )
        var y = rect.y + topics.draw(in: rect, on: &grid, context: context)
        for line in self.totals(status, context: context) where y < rect.maxY {
            grid.draw(line, x: x, y: y, width: rect.width - 3, context: context)
            y += 1
        }
        let messages = Table(
            columns: Self.messageColumns,
            rows: self.state.relay.messages.map { .cells(self.cells($0, context: context)) },
            selected: nil,
            isFocused: focused,
            placeholder: "nothing relayed yet; P publishes a test message"
        )
        messages.draw(
            in: Rect(x: rect.x, y: y + 1, width: rect.width, height: rect.maxY - y - 1),
            on: &grid,
            context: context
        )
    }

    private func cells(_ topic: RelayStatus.Topic, context: RenderContext) -> [Span] {
        let counts = topic.counts
        let invalid = counts.invalid + counts.malformed
        return [
            Span(topic.pubsubTopic),
            Span("\(topic.meshPeers.count)", topic.meshPeers.isEmpty ? .warning : .good),
            Span("\(topic.subscribedPeers)"),
            Span(Format.rate(self.state.relay.rate(topic.pubsubTopic, at: context.now)), .accent),
            Span(Format.compactCount(counts.received)),
            Span(Format.compactCount(counts.forwarded)),
            Span(Format.compactCount(counts.duplicates), .dim),
            Span(Format.compactCount(invalid), invalid > 0 ? .warning : .normal),
            Self.pair(counts.iHaveReceived, counts.iHaveSent),
            Self.pair(counts.graftReceived, counts.graftSent),
            Self.pair(counts.pruneReceived, counts.pruneSent),
            Span(Format.compactCount(counts.published)),
        ]
    }

    private func cells(_ arrival: RelayHistory.Arrival, context: RenderContext) -> [Span] {
        let message = arrival.message
        return [
            Span(Format.ago(arrival.time, now: context.now), .dim),
            Span(Format.hash(message.hash, ellipsis: context.glyphs.ellipsis), .accent),
            Span(message.pubsubTopic),
            Span(Format.bytes(message.bytes)),
            Span(context.peer(message.peerID)),
            Span("\(message.forwardedTo)", .dim),
        ]
    }

    /// Totals over all topics: peers, what went nowhere, bytes; then control entries in/out.
    private func totals(_ status: RelayStatus, context: RenderContext) -> [[Span]] {
        let total = status.total
        let separator = Span(context.separator, .dim)
        let traffic = [
            Span("relay peers ", .dim), Span("\(status.peers)"), separator,
            Span("publish copies ", .dim), Span(Format.count(total.published)), separator,
            Span("ignored ", .dim), Span(Format.count(total.ignored)), separator,
            Span("in ", .dim), Span(Format.bytes(total.bytesIn)), Span(" out ", .dim),
            Span(Format.bytes(total.bytesOut)),
        ]
        var control = [Span("control in/out ", .dim)]
        let kinds = [
            ("IHAVE", total.iHaveReceived, total.iHaveSent), ("IWANT", total.iWantReceived, total.iWantSent),
            ("GRAFT", total.graftReceived, total.graftSent), ("PRUNE", total.pruneReceived, total.pruneSent),
        ]
        for (index, (name, received, sent)) in kinds.enumerated() {
            if index > 0 { control.append(separator) }
            control += [Span(name + " ", .dim), Self.pair(received, sent)]
        }
        return [traffic, control]
    }

    /// `12/30`: received, then sent.
    private static func pair(_ received: Int, _ sent: Int) -> Span {
        Span("\(Format.compactCount(received))/\(Format.compactCount(sent))")
    }
}
