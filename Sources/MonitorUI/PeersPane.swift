internal import NodeEvents

/// The peers table: state (with `M` for a peer in our relay mesh), sync activity, last sync,
/// differences, round-trip time, errors; with room to spare, the selected peer's details below it.
struct PeersPane: PaneView {
    let state: MonitorState

    private static let columns: [Table.Column] = [
        .init(title: "PEER", width: 13),
        .init(title: "STATE", width: 13),
        .init(title: "SYNC", width: 11),
        .init(title: "LAST SYNC", width: 11, priority: 1),
        .init(title: "DIFF IN/OUT", width: 11, alignment: .right, priority: 1),
        .init(title: "RTT", width: 7, alignment: .right, priority: 3),
        .init(title: "DIR", width: 3, priority: 3),
        .init(title: "MSGS IN/OUT", width: 11, alignment: .right, priority: 3),
        .init(title: "OK/FAIL", width: 7, alignment: .right, priority: 4),
        .init(title: "PROTOCOLS", width: 10, priority: 4),
        .init(title: "ERROR", width: 10, priority: 2, grows: true),
        .init(title: "ADDRESS", width: 26, priority: 5),
    ]

    func summary(context: RenderContext) -> [Span] {
        let peers = self.state.peers.values
        let connected = peers.filter { $0.state == .connected }.count
        var spans = [
            Span("\(connected)/\(peers.count) connected", Self.badgeRole(connected: connected, of: peers.count))
        ]
        let paused = peers.filter(\.isPaused).count
        if paused > 0 { spans.append(Span("\(paused) paused", .warning)) }
        let waiting = peers.filter { $0.state == .backingOff }.count
        if waiting > 0 { spans.append(Span("\(waiting) backing off", .warning)) }
        return spans
    }

    /// A blank line and three lines of details.
    static let detailRows = 4

    func preferredHeight(width: Int) -> Int { max(2, self.state.peers.count + 1) + Self.detailRows }

    func badge(context: RenderContext) -> Span? {
        let connected = self.state.peers.values.filter { $0.state == .connected }.count
        return Span(
            "\(connected)/\(self.state.peers.count)",
            Self.badgeRole(connected: connected, of: self.state.peers.count)
        )
    }

    private static func badgeRole(connected: Int, of count: Int) -> Role {
        connected == count && count > 0 ? .good : count == 0 ? .dim : .warning
    }

    func draw(in rect: Rect, focused: Bool, on grid: inout CellGrid, context: RenderContext) {
        let peers = self.state.orderedPeers
        let selected = self.state.selectedPeer?.peerID
        let mesh = self.state.relay.status?.meshPeers ?? []
        let table = Table(
            columns: Self.columns,
            rows: peers.map { .cells(self.cells($0, inMesh: mesh.contains($0.peerID), context: context)) },
            selected: peers.firstIndex { $0.peerID == selected },
            isFocused: focused,
            placeholder: "no peers yet: press a to add one by multiaddr"
        )
        let drawn = table.draw(in: rect, on: &grid, context: context)
        // The selected peer's details under the table, when it all fits.
        if let peer = self.state.selectedPeer, drawn == peers.count + 1, rect.height >= drawn + Self.detailRows {
            self.drawDetails(
                peer,
                inMesh: mesh.contains(peer.peerID),
                in: Rect(x: rect.x, y: rect.y + drawn + 1, width: rect.width, height: 3),
                on: &grid,
                context: context
            )
        }
    }

    private func cells(_ peer: PeerSnapshot, inMesh: Bool, context: RenderContext) -> [Span] {
        let glyphs = context.glyphs
        let state: Span =
            switch peer.state {
            case .connected: Span("\(glyphs.filled) connected" + (inMesh ? " M" : ""), .good)
            case .connecting: Span("\(glyphs.dotted) connecting", .warning)
            case .disconnected: Span("\(glyphs.hollow) down", .error)
            case .backingOff:
                Span(
                    "\(glyphs.retry) "
                        + (peer.reconnectAt.map { "retry " + Format.span(from: context.now, to: max(context.now, $0)) }
                            ?? "backoff"),
                    .warning
                )
            }
        let sync: Span
        if let live = self.state.liveSession(with: peer.peerID) {
            sync = Span("\(glyphs.exchange) round \(max(1, live.roundCount))", .accent)
        } else if peer.isPaused {
            sync = Span("\(glyphs.paused) paused", .warning)
        } else if !peer.protocols.isEmpty && !peer.speaksSync {
            sync = Span("no sync", .dim)
        } else {
            sync = Span("idle", .dim)
        }
        return [
            Span(context.peer(peer.peerID), .normal),
            state,
            sync,
            self.lastSync(peer, context: context),
            Span("\(Format.compactCount(peer.differencesWeNeeded))/\(Format.compactCount(peer.differencesTheyNeeded))"),
            Span(peer.roundTripTime.map(Format.duration) ?? "-", peer.roundTripTime == nil ? .dim : .normal),
            Span(peer.direction == .inbound ? "in" : peer.direction == .outbound ? "out" : "-", .dim),
            Span("\(Format.compactCount(peer.messagesReceived))/\(Format.compactCount(peer.messagesSent))"),
            Span(
                "\(peer.sessionsCompleted)/\(peer.sessionsFailed)",
                peer.sessionsFailed > 0 ? .warning : .normal
            ),
            Span(Self.protocolSummary(peer), .dim),
            Span(peer.lastError ?? "", .error),
            Span(peer.address ?? "", .dim),
        ]
    }

    private func lastSync(_ peer: PeerSnapshot, context: RenderContext) -> Span {
        guard let time = peer.lastSyncAt else { return Span("never", .dim) }
        let ago = Format.ago(time, now: context.now)
        let finished = self.state.finishedSessions.first { $0.peerID == peer.peerID }?.end
        switch finished?.outcome {
        case .reconciled: return Span("\(context.glyphs.check) \(ago)", .good)
        case .failed, .scopeMismatch: return Span("\(context.glyphs.cross) \(ago)", .error)
        case nil:
            let word = peer.lastSyncOutcome.map { $0 == "reconciled" ? "\(context.glyphs.check) " : "\($0) " } ?? ""
            return Span(word + ago, .normal)
        }
    }

    private func drawDetails(
        _ peer: PeerSnapshot,
        inMesh: Bool,
        in rect: Rect,
        on grid: inout CellGrid,
        context: RenderContext
    ) {
        let separator = Span(context.separator, .dim)
        var first = [Span(peer.peerID, .accent)]
        if let alias = context.aliases[peer.peerID] { first.append(Span(" (\(alias))", .accent)) }
        first += [separator, Span(peer.isStatic ? "static" : "discovered", .normal)]
        if let direction = peer.direction { first += [separator, Span(direction.rawValue)] }
        if inMesh { first += [separator, Span("in our relay mesh", .good)] }
        if let address = peer.address { first += [separator, Span(address, .dim)] }
        var second: [Span] = []
        if let agent = peer.agentVersion { second += [Span("agent ", .dim), Span(agent), separator] }
        if let cluster = peer.clusterID {
            let shards = peer.shards.map(String.init).joined(separator: ",")
            second += [
                Span("cluster ", .dim), Span("\(cluster)"), Span(" shards ", .dim), Span(shards.isEmpty ? "-" : shards),
                separator,
            ]
        }
        second += [
            Span("protocols ", .dim),
            Span(peer.protocols.isEmpty ? "-" : peer.protocols.map(Self.shortProtocol).joined(separator: ", ")),
        ]
        var third = [
            Span("sessions ", .dim), Span("\(peer.sessionsCompleted) ok"), Span(", "),
            Span("\(peer.sessionsFailed) failed", peer.sessionsFailed > 0 ? .warning : .normal), separator,
            Span("msgs in ", .dim), Span(Format.count(peer.messagesReceived)), Span(" out ", .dim),
            Span(Format.count(peer.messagesSent)),
        ]
        if let outcome = peer.lastSyncOutcome { third += [separator, Span("last ", .dim), Span(outcome)] }
        if let error = peer.lastError { third += [separator, Span("error ", .dim), Span(error, .error)] }
        for (offset, line) in [first, second, third].enumerated() where offset < rect.height {
            grid.draw(line, x: rect.x + 2, y: rect.y + offset, width: rect.width - 2, context: context)
        }
    }

    private static func protocolSummary(_ peer: PeerSnapshot) -> String {
        guard !peer.protocols.isEmpty else { return "-" }
        let words = [peer.speaksSync ? "sync" : nil, peer.speaksStore ? "store" : nil].compactMap(\.self)
        return words.isEmpty ? "other" : words.joined(separator: " ")
    }

    /// `/vac/waku/reconciliation/1.0.0` → `reconciliation/1.0.0`.
    static func shortProtocol(_ id: String) -> String {
        for prefix in ["/vac/waku/", "/ipfs/", "/libp2p/"] where id.hasPrefix(prefix) {
            return String(id.dropFirst(prefix.count))
        }
        return id
    }
}
