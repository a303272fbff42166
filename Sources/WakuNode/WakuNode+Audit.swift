internal import Libp2p
internal import NodeEvents
internal import WakuCore
internal import WakuSync

/// The count audit between wakusync peers: XOR fingerprints cannot see a set of messages whose
/// hashes XOR to zero (docs/SECURITY.md), but counts can. Before a session the initiator asks the
/// peer how many items it holds in the window; when the session then finds no difference at all
/// and the counts still differ, messages are hiding, and the initiator pulls the peer's hash list
/// for the window with Store hash-only queries and fetches what it lacks.
///
/// Only peers announcing ``auditProtocol`` take part; nwaku answers `na` and is not audited.
extension WakuNode {
    package static let auditProtocol = "/wakusync/audit/1.0.0"

    /// Answers an audit: the request is a payload with one Skip range `[start, end)` and the
    /// asker's topic lists; the answer is our count there, as a uvarint.
    func serveAudit(_ stream: Libp2pStream) async throws {
        guard let bytes = try await stream.readMessage(maxSize: 64 * 1024, timeout: .seconds(10)) else { return }
        let request = try RangesData(decoding: bytes)
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
    func auditCount(of peer: PeerID, window: (start: Int64, end: Int64)) async -> Int? {
        guard await self.peers.snapshot(of: peer.description)?.protocols.contains(Self.auditProtocol) == true else {
            return nil
        }
        do {
            let stream = try await self.host.openStream(to: peer, protocolID: Self.auditProtocol, timeout: .seconds(5))
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

    /// Messages hide from reconciliation: fetch the peer's hash list for the window and pull
    /// what we lack.
    func pullHidden(from peer: PeerID, window: (start: Int64, end: Int64), theirs: Int, ours: Int) async {
        self.events.emit(
            .notice(
                Notice(
                    .warning,
                    "fingerprints match but counts differ (ours \(ours), theirs \(theirs)): messages hide by XOR cancellation; pulling the hash list",
                    peerID: peer.description
                )
            )
        )
        let queries =
            (self.configuration.syncPubsubTopics.isEmpty
                ? [nil] : self.configuration.syncPubsubTopics.map(Optional.some))
        var listed = Set<MessageHash>()
        do {
            for topic in queries {
                var request = StoreQueryRequest(
                    requestID: Self.requestID(),
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
                repeat {
                    let response = try await self.query(request, peer: peer)
                    guard response.statusCode.isSuccess else {
                        throw NodeError("audit query refused: \(response.statusDesc)")
                    }
                    listed.formUnion(response.messages.map(\.messageHash))
                    request.paginationCursor = response.paginationCursor
                } while request.paginationCursor != nil
            }
        } catch {
            self.events.emit(
                .notice(
                    Notice(.warning, "pulling the hash list failed: \(Self.describe(error))", peerID: peer.description)
                )
            )
            return
        }
        let missing = listed.subtracting(await self.engine.hashes(from: window.start, to: window.end))
        guard !missing.isEmpty else { return }
        await self.engine.expect(Array(missing), from: peer.description, in: window)
        await self.fetch(from: peer, grace: .zero)
    }
}
