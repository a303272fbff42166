internal import Libp2p
internal import NodeEvents
internal import WakuCore
internal import WakuSync

/// The count audit between wakusync peers (PROTOCOLS.md §9): XOR fingerprints cannot see a set of
/// messages whose hashes XOR to zero (docs/SECURITY.md), but counts can. Before a session the
/// initiator asks the peer how many items it holds in the window; when the session then finds no
/// difference at all and the counts still differ, messages are hiding, and the initiator pulls the
/// peer's hash list for the window with Store hash-only queries and fetches what it lacks.
///
/// Only peers announcing ``protocolID`` take part; nwaku answers `na` and is not audited.
final class CountAudit: Sendable {
    package static let protocolID = "/wakusync/audit/1.0.0"

    private let host: Libp2pHost
    private let engine: SyncEngine
    private let peers: PeerManager
    private let events: EventHub
    private let configuration: NodeConfiguration
    private let pager: StorePager
    private let fetcher: MissingFetcher

    init(
        host: Libp2pHost,
        engine: SyncEngine,
        peers: PeerManager,
        events: EventHub,
        configuration: NodeConfiguration,
        client: StoreClient,
        fetcher: MissingFetcher
    ) {
        self.host = host
        self.engine = engine
        self.peers = peers
        self.events = events
        self.configuration = configuration
        self.pager = StorePager(
            client: client,
            maxPages: configuration.limits.auditHashes / 100 + 1,
            maxEntries: configuration.limits.auditHashes
        )
        self.fetcher = fetcher
    }

    /// Answers an audit: the request is a payload with one Skip range `[start, end)` and the
    /// asker's topic lists; the answer is our count there, as a uvarint.
    func serve(_ stream: Libp2pStream) async throws {
        guard let bytes = try await stream.readMessage(maxSize: 64 * 1024, timeout: .seconds(10)) else { return }
        let request = try RangesData(decoding: bytes, limits: PayloadLimits(ranges: 1, items: 0))
        guard let range = request.ranges.first, request.ranges.count == 1, range.kind == .skip else {
            throw NodeError("malformed audit request")
        }
        let pubsub =
            ReconciliationSession.agreed(ours: self.configuration.syncPubsubTopics, theirs: request.pubsubTopics) ?? []
        let content =
            ReconciliationSession.agreed(ours: self.configuration.contentTopics, theirs: request.contentTopics) ?? []
        let count = await self.engine.auditCount(
            from: range.lower.timestamp,
            to: range.upper.timestamp,
            pubsubTopics: pubsub,
            contentTopics: content
        )
        try await stream.writeMessage(Varint.encode(UInt64(count)))
        await stream.close()
    }

    /// The peer's count in `window` for our scope, or nil when it does not audit.
    func count(of peer: PeerID, window: (start: Int64, end: Int64)) async -> Int? {
        guard await self.peers.snapshot(of: peer)?.protocols.contains(Self.protocolID) == true else { return nil }
        do {
            let stream = try await self.host.openStream(to: peer, protocolID: Self.protocolID, timeout: .seconds(5))
            defer { stream.reset() }
            let request = RangesData(
                pubsubTopics: self.configuration.syncPubsubTopics,
                contentTopics: self.configuration.contentTopics,
                ranges: [SyncRange(lower: .bound(window.start), upper: .bound(window.end), kind: .skip)]
            )
            try await stream.writeMessage(request.encoded())
            guard let reply = try await stream.readMessage(maxSize: 16, timeout: .seconds(5)) else { return nil }
            var reader = ByteReader(reply)
            return Int(clamping: try reader.readVarint("audit count"))
        } catch {
            return nil
        }
    }

    /// After a session that found nothing: compares counts and, when they differ, pulls the
    /// peer's hash list for the window and fetches what we lack.
    func compare(with peer: PeerID, window: (start: Int64, end: Int64), theirs: Int) async {
        let ours = await self.engine.auditCount(
            from: window.start,
            to: window.end,
            pubsubTopics: self.configuration.syncPubsubTopics,
            contentTopics: self.configuration.contentTopics
        )
        guard ours != theirs else { return }
        self.events.emit(
            .notice(
                Notice(
                    .warning,
                    "fingerprints match but counts differ (ours \(ours), theirs \(theirs)): messages hide by XOR cancellation; pulling the hash list",
                    peerID: peer.description
                )
            )
        )
        var listed = Set<MessageHash>()
        let topics: [String?] =
            self.configuration.syncPubsubTopics.isEmpty ? [nil] : self.configuration.syncPubsubTopics.map(Optional.some)
        do {
            for topic in topics {
                let request = StoreQueryRequest(
                    requestID: StoreClient.requestID(),
                    includeData: false,
                    pubsubTopic: topic,
                    contentTopics: Array(
                        self.configuration.contentTopics.prefix(StoreQueryRequest.maxContentTopicsWithCursor)
                    ),
                    timeStart: window.start,
                    timeEnd: window.end - 1,
                    paginationForward: true,
                    paginationLimit: 100
                )
                try await self.pager.forEachPage(request, from: peer) { page in
                    listed.formUnion(page.messages.map(\.messageHash))
                }
            }
        } catch {
            self.events.emit(
                .notice(
                    Notice(
                        .warning,
                        "pulling the hash list failed: \(WakuNode.describe(error))",
                        peerID: peer.description
                    )
                )
            )
            return
        }
        let missing = listed.subtracting(await self.engine.hashes(from: window.start, to: window.end))
        guard !missing.isEmpty else { return }
        await self.engine.expect(Array(missing), from: peer, in: window)
        await self.fetcher.fetch(from: peer, grace: .zero)
    }
}
