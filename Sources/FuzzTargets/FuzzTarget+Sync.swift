internal import WakuCore
internal import WakuSync

extension FuzzTarget {
    /// `ranges-data`: a reconciliation payload as it arrives from a peer (PROTOCOLS.md §4.2).
    ///
    /// nwaku's encoding keeps an upper bound's hash only up to the first byte that differs from
    /// the first lower bound, so decode∘encode is not the identity on every payload; it is on
    /// every payload our encoder writes. Checked: counts against the input size, ascending
    /// contiguous bounds, and that the encoding of a decoded payload decodes to the same ranges
    /// (hash prefixes aside) and encodes to the same bytes again.
    static func rangesData(_ input: [UInt8]) {
        guard let payload = try? RangesData(decoding: input) else { return }
        Self.checkShape(of: payload, decodedFrom: input.count)
        let canonical = payload.encoded()
        guard let again = try? RangesData(decoding: canonical) else {
            invariant(false, "the encoding of a decoded payload does not decode: \(canonical.hexString)")
            return
        }
        invariant(again.encoded() == canonical, "re-encoding a canonical payload changes its bytes")
        invariant(again.ranges.count == payload.ranges.count, "re-encoding changes the number of ranges")
        for (range, original) in zip(again.ranges, payload.ranges) {
            invariant(
                range.lower == original.lower && range.upper.timestamp == original.upper.timestamp
                    && range.kind == original.kind,
                "re-encoding changes a range: \(original) became \(range)"
            )
        }
        if !payload.ranges.isEmpty {
            invariant(
                again.pubsubTopics == payload.pubsubTopics && again.contentTopics == payload.contentTopics,
                "re-encoding changes the topic lists"
            )
        }
    }

    /// `ranges-session`: payloads from a peer driving a whole reconciliation session.
    ///
    /// Byte 0 picks the strategy (bit 0: nwaku), our role (bit 1: initiator, which sends its
    /// first payload before reading) and our pubsub topics (bit 2: one topic instead of all); the
    /// rest is the peer's frames, each uvarint-length-prefixed as on the stream. Every reply must
    /// decode, and what we offer to send must be items we hold.
    static func rangesSession(_ input: [UInt8]) {
        guard let mode = input.first else { return }
        let role: ReconciliationSession.Role = mode & 2 == 0 ? .responder : .initiator
        let configuration = ReconciliationSession.Configuration(
            strategy: mode & 1 == 0 ? .balanced : .nwaku,
            pubsubTopics: mode & 4 == 0 ? [] : [SessionFixture.pubsubTopics[0]],
            roundLimit: SessionFixture.roundLimit
        )
        var session = ReconciliationSession(role: role, configuration: configuration)
        let index = SessionFixture.index(SessionFixture.ours)
        if role == .initiator {
            Self.checkReply(session.start(from: 0, to: SessionFixture.windowEnd, index: index))
        }
        var frames = ByteReader(Array(input.dropFirst()))
        while !session.isFinished, !frames.isAtEnd {
            guard let length = try? frames.readCount("frame length", minimumSize: 1),
                let frame = try? frames.readBytes(length, "frame")
            else { break }
            let step: ReconciliationSession.Step
            do {
                step = try session.receive(Array(frame), index: index)
            } catch {
                break
            }
            switch step {
            case .reply(let reply), .replyAndFinish(let reply): Self.checkReply(reply)
            case .finish: break
            }
        }
        invariant(session.rounds.count <= SessionFixture.roundLimit, "the session went past its round limit")
        let held = Set(SessionFixture.ours.map(\.id))
        invariant(session.itemsToSend.allSatisfy(held.contains), "the session offers an item we do not hold")
        invariant(Set(session.hashesToSend).count == session.itemsToSend.count, "an item is offered twice")
        invariant(Set(session.hashesToReceive).count == session.itemsToReceive.count, "an item is requested twice")
    }

    // MARK: - Private

    private static func checkShape(of payload: RangesData, decodedFrom size: Int) {
        // A range takes at least a time delta and a type byte; an item a delta and a hash; a topic
        // its length byte.
        invariant(payload.ranges.count <= size / 2, "\(payload.ranges.count) ranges from \(size) bytes")
        invariant(payload.pubsubTopics.count + payload.contentTopics.count <= size, "more topics than bytes")
        var items = 0
        var previous = payload.ranges.first?.lower.timestamp ?? 0
        for range in payload.ranges {
            invariant(range.lower.timestamp == previous, "ranges are not contiguous")
            invariant(range.lower <= range.upper, "a range ends before it starts")
            invariant(range.lower.hash.isZero, "a decoded lower bound carries a hash")
            previous = range.upper.timestamp
            guard case .itemSet(let set) = range.kind else { continue }
            items += set.items.count
            invariant(set.items.first.map { $0.timestamp >= 0 } ?? true, "an item has a negative timestamp")
            invariant(
                zip(set.items, set.items.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp },
                "items descend"
            )
        }
        invariant(items * (1 + MessageHash.byteCount) <= size, "\(items) items from \(size) bytes")
    }

    /// A payload we send must decode (a zero-length reply is the scope-mismatch answer, §4.7).
    private static func checkReply(_ reply: [UInt8]) {
        guard !reply.isEmpty else { return }
        invariant((try? RangesData(decoding: reply)) != nil, "our own payload does not decode: \(reply.hexString)")
    }
}

/// The item sets the session target reconciles against: small, on two pubsub topics and three
/// content topics, with repeated timestamps so that bounds need hash prefixes.
enum SessionFixture {
    static let pubsubTopics = ["/waku/2/rs/1/0", "/waku/2/rs/1/1"]
    static let contentTopics = ["/fuzz/1/a/proto", "/fuzz/1/b/proto", "/fuzz/1/c/proto"]
    static let windowEnd: Int64 = 1_000_000
    static let roundLimit = 16
    /// The items of the side under test.
    static let ours = Self.entries(seed: 1, count: 48)
    /// A peer holding half of ours and some of its own, for seed conversations.
    static let theirs = Array(Self.ours.prefix(24)) + Self.entries(seed: 2, count: 24)

    /// A fresh index holding `entries` (the session may keep references into it).
    static func index(_ entries: [SyncIndex.Entry]) -> SyncIndex {
        let index = SyncIndex()
        for entry in entries {
            index.insert(entry.id, pubsubTopic: entry.pubsubTopic, contentTopic: entry.contentTopic)
        }
        return index
    }

    private static func entries(seed: UInt64, count: Int) -> [SyncIndex.Entry] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { number in
            SyncIndex.Entry(
                id: SyncID(timestamp: Int64(number / 3) * 20_000 + Int64(seed), hash: random.nextHash()),
                pubsubTopic: Self.pubsubTopics[number % 2],
                contentTopic: Self.contentTopics[number % 3]
            )
        }
    }
}
