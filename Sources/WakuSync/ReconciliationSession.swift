package import WakuCore

/// One reconciliation session, seen from one side, with no I/O (STYLE.md §8).
///
/// The driver writes what ``start(from:to:index:)`` and ``receive(_:index:)`` return, one
/// length-prefixed frame each, and feeds every frame it reads to ``receive(_:index:)`` until a
/// step says the session is over. Both sides run the same loop (PROTOCOLS.md §4.8): a payload with
/// no ranges or only Skip ranges ends the session without a reply; a reply with nothing left to
/// settle is sent as `00` and ends it too.
package struct ReconciliationSession {
    package enum Role: String, Sendable {
        case initiator
        case responder
    }

    /// What a session is configured with.
    package struct Configuration: Sendable {
        package var strategy: SyncStrategy
        /// Our pubsub topics; empty means every topic. Sent in every payload.
        package var pubsubTopics: [String]
        /// Our content topics; empty means every topic. Sent in every payload.
        package var contentTopics: [String]
        /// Payloads we accept from the peer before giving up on the session.
        package var roundLimit: Int
        package var maxPayloadSize: Int
        /// Caps on one payload and on what a whole session may accumulate.
        package var limits: SessionLimits

        package init(
            strategy: SyncStrategy = .balanced,
            pubsubTopics: [String] = [],
            contentTopics: [String] = [],
            roundLimit: Int = 64,
            maxPayloadSize: Int = RangesData.maxPayloadSize,
            limits: SessionLimits = .standard
        ) {
            self.strategy = strategy
            self.pubsubTopics = pubsubTopics
            self.contentTopics = contentTopics
            self.roundLimit = roundLimit
            self.maxPayloadSize = maxPayloadSize
            self.limits = limits
        }
    }

    /// What the driver does next.
    package enum Step: Equatable, Sendable {
        /// Write this payload as one frame, then read the next one.
        case reply([UInt8])
        /// Write this payload as one frame (an empty array is a zero-length frame), then stop.
        case replyAndFinish([UInt8])
        /// Stop without writing.
        case finish
    }

    /// How a finished session ended.
    package enum Ending: String, Sendable {
        /// Both sides settled every range.
        case reconciled
        /// The topic lists did not intersect; the responder sent a zero-length frame (§4.7).
        case scopeMismatch
    }

    package let role: Role
    package let configuration: Configuration
    /// The time window of the session: chosen by the initiator, learned by the responder from
    /// the first payload. Ranges outside it end the session with an error.
    package private(set) var window: SyncInterval?
    /// The topic scope both sides agreed on (the intersection of the lists), once known.
    package private(set) var agreedPubsubTopics: [String]?
    package private(set) var agreedContentTopics: [String]?
    /// Items we hold that the peer lacks, each once, in the order found.
    package private(set) var itemsToSend: [SyncID] = []
    /// Items the peer holds that we lack, each once, in the order found.
    package private(set) var itemsToReceive: [SyncID] = []
    /// Intervals where we told the peer we hold nothing (see ``ProcessOutcome/openIntervals``),
    /// merged and sorted.
    package private(set) var openIntervals = SyncIntervalSet()
    /// The intervals the last payload opened (for whoever mirrors ``openIntervals`` incrementally).
    package private(set) var openedLastRound: [SyncInterval] = []
    /// One report per payload received.
    package private(set) var rounds: [RoundReport] = []
    package private(set) var ending: Ending?

    /// The density of differences the last payload showed (`balanced` plans splits by it).
    private var density: Double?
    private var sentHashes: Set<HashKey> = []
    private var receivedHashes: Set<HashKey> = []
    private var started = false

    package init(role: Role, configuration: Configuration) {
        self.role = role
        self.configuration = configuration
    }

    package var isFinished: Bool { self.ending != nil }

    /// Hashes of ``itemsToSend``.
    package var hashesToSend: [MessageHash] { self.itemsToSend.map(\.hash) }
    /// Hashes of ``itemsToReceive``.
    package var hashesToReceive: [MessageHash] { self.itemsToReceive.map(\.hash) }

    /// The initiator's first payload: one Fingerprint range from `(start, 00…)` to `(end, ff…)`
    /// over our items in the window, with our topic lists (§4.8).
    ///
    /// `balanced` fingerprints `[start, end)`, because the responder decodes the upper bound as
    /// `(end, 00…)`; `nwaku` keeps nwaku's inclusive fingerprint for exact replays.
    package mutating func start(from start: Int64, to end: Int64, index: SyncIndex) -> [UInt8] {
        precondition(self.role == .initiator && !self.started, "start(from:to:index:) is the initiator's first step")
        precondition(start <= end, "a sync window cannot end before it starts")
        self.started = true
        let lower = SyncID.bound(start)
        let upper = SyncID(timestamp: end, hash: .max)
        self.window = .closed(lower, upper)
        let scope = index.scope(
            pubsubTopics: self.configuration.pubsubTopics,
            contentTopics: self.configuration.contentTopics,
            matching: self.configuration.strategy.topicMatching
        )
        let fingerprinted =
            self.configuration.strategy.kind == .nwaku
            ? SyncInterval.closed(lower, upper) : .halfOpen(lower, .bound(end))
        let payload = RangesData(
            pubsubTopics: self.configuration.pubsubTopics,
            contentTopics: self.configuration.contentTopics,
            ranges: [SyncRange(lower: lower, upper: upper, kind: .fingerprint(scope.fingerprint(fingerprinted)))]
        )
        return payload.encoded()
    }

    /// Decodes one payload from the peer under this configuration's size and count limits.
    ///
    /// Separate from ``receive(_:size:index:)`` so a driver can decode off whatever serialises
    /// access to the index.
    package static func decode(_ bytes: [UInt8], configuration: Configuration) throws(SessionError) -> RangesData {
        do {
            return try RangesData(
                decoding: bytes,
                maxSize: configuration.maxPayloadSize,
                limits: configuration.limits.payload
            )
        } catch {
            throw SessionError(error.code == .overLimit ? .overLimit : .decode, "\(error)")
        }
    }

    /// Decodes and processes one payload from the peer and says what to do next.
    package mutating func receive(_ bytes: [UInt8], index: SyncIndex) throws(SessionError) -> Step {
        let payload: RangesData
        do {
            payload = try Self.decode(bytes, configuration: self.configuration)
        } catch {
            throw SessionError(error.code, "payload \(self.rounds.count + 1): \(error.detail)")
        }
        return try self.receive(payload, size: bytes.count, index: index)
    }

    /// Processes one decoded payload of `size` bytes and says what to do next.
    ///
    /// The payload is let go once processed, before the reply is encoded: with nwaku's strategy
    /// at a million items both are tens of megabytes.
    package mutating func receive(
        _ payload: consuming RangesData,
        size: Int,
        index: SyncIndex
    ) throws(SessionError) -> Step {
        guard !self.isFinished else {
            throw SessionError(.alreadyFinished, "a payload arrived after the session ended")
        }
        guard self.role == .responder || self.started else {
            throw SessionError(.notStarted, "the initiator must send its first payload before receiving")
        }
        self.started = true
        guard self.rounds.count < self.configuration.roundLimit else {
            throw SessionError(.roundLimit, "the peer went past the limit of \(self.configuration.roundLimit) rounds")
        }
        var report = RoundReport(number: self.rounds.count + 1, bytesReceived: size)
        defer { self.rounds.append(report) }
        self.openedLastRound = []

        report.rangesReceived = RangeCounts(payload.ranges)
        report.receivedOutline = payload.ranges.prefix(RoundReport.outlineLimit).map(RangeOutline.init)
        if payload.isFinal {
            self.ending = .reconciled
            return .finish
        }
        try self.checkWindow(of: payload.ranges)

        guard let pubsub = Self.agreed(ours: self.configuration.pubsubTopics, theirs: payload.pubsubTopics),
            let content = Self.agreed(ours: self.configuration.contentTopics, theirs: payload.contentTopics)
        else {
            self.ending = .scopeMismatch
            return .replyAndFinish([])
        }
        self.agreedPubsubTopics = pubsub
        self.agreedContentTopics = content

        let scope = index.scope(
            pubsubTopics: pubsub,
            contentTopics: content,
            matching: self.configuration.strategy.topicMatching
        )
        let level = self.role == .initiator ? 2 * report.number : 2 * report.number - 1
        // Processing takes the ranges over and lets go of each item set once answered.
        let ranges = payload.ranges
        _ = consume payload
        let outcome = RangeProcessor(strategy: self.configuration.strategy).process(
            ranges,
            scope: scope,
            level: level,
            density: self.density
        )
        self.density = outcome.density
        report.itemsCompared = outcome.itemsCompared
        for interval in outcome.openIntervals { self.openIntervals.insert(interval) }
        self.openedLastRound = outcome.openIntervals
        guard self.openIntervals.count <= self.configuration.limits.openIntervals else {
            throw SessionError(
                .overLimit,
                "more than \(self.configuration.limits.openIntervals) separate intervals where we hold nothing"
            )
        }
        report.rangesSent = RangeCounts(outcome.ranges)
        report.sentOutline = outcome.ranges.prefix(RoundReport.outlineLimit).map(RangeOutline.init)
        for item in outcome.itemsToSend where self.sentHashes.insert(HashKey(item.hash)).inserted {
            self.itemsToSend.append(item)
            report.newHashesToSend += 1
        }
        for item in outcome.itemsToReceive where self.receivedHashes.insert(HashKey(item.hash)).inserted {
            self.itemsToReceive.append(item)
            report.newHashesToReceive += 1
        }
        guard self.itemsToReceive.count <= self.configuration.limits.itemsToReceive else {
            throw SessionError(
                .overLimit,
                "the peer claims more than \(self.configuration.limits.itemsToReceive) items we lack"
            )
        }

        let reply = RangesData(
            pubsubTopics: self.configuration.pubsubTopics,
            contentTopics: self.configuration.contentTopics,
            ranges: outcome.ranges
        ).encoded()
        report.bytesSent = reply.count
        if outcome.ranges.isEmpty {
            self.ending = .reconciled
            return .replyAndFinish(reply)
        }
        return .reply(reply)
    }

    /// nwaku's topic-scope rule (§4.7): both lists set → their intersection, nil when empty; only
    /// ours → ours; ours empty → theirs as sent.
    package static func agreed(ours: [String], theirs: [String]) -> [String]? {
        if ours.isEmpty { return theirs }
        if theirs.isEmpty { return ours }
        let theirSet = Set(theirs)
        let both = ours.filter(theirSet.contains)
        return both.isEmpty ? nil : both
    }

    // MARK: - Private

    private mutating func checkWindow(of ranges: [SyncRange]) throws(SessionError) {
        guard let first = ranges.first, let last = ranges.last else { return }
        guard let window = self.window else {
            self.window = .closed(first.lower, last.upper)
            return
        }
        guard first.lower.timestamp >= window.lower.timestamp, last.upper.timestamp <= window.upper.timestamp else {
            throw SessionError(
                .outsideWindow,
                "ranges from \(first.lower.timestamp) to \(last.upper.timestamp) leave the session window "
                    + "\(window.lower.timestamp)…\(window.upper.timestamp)"
            )
        }
    }
}

/// A message hash as a set member: hashed by its first word only, since message hashes are
/// uniformly random (a peer choosing colliding first words only slows its own session's sets).
private struct HashKey: Hashable {
    let hash: MessageHash

    init(_ hash: MessageHash) {
        self.hash = hash
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(self.hash.w0)
    }

    static func == (lhs: HashKey, rhs: HashKey) -> Bool {
        lhs.hash.isSame(as: rhs.hash)
    }
}

/// Why a session was abandoned. The node closes the stream and reports it; nwaku does the same
/// on any decode error (§4.4).
package struct SessionError: Error, Equatable, Sendable, CustomStringConvertible {
    package enum Code: String, Equatable, Sendable {
        case decode
        /// A payload or the session went past a cap (``SessionLimits``).
        case overLimit
        case roundLimit
        case outsideWindow
        case alreadyFinished
        case notStarted
    }

    package var code: Code
    package var detail: String

    package init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    package var description: String { "\(self.code.rawValue): \(self.detail)" }
}

/// What one session may hold, so a single peer cannot make a session expand without bound.
///
/// The defaults leave a margin over honest sessions, measured with `wakusync bench sync` (its
/// "max ranges" and "max items" columns; docs/SECURITY.md): at a million items per side, nwaku's
/// strategy sends at most 13 402 ranges and 379 899 items in one payload at 0.1 % differing, and
/// 32 530 ranges and 991 662 items at 1 %; our balanced strategy at most 81 502 ranges (1 %).
/// What we must push is bounded by our own index, so only what the peer claims we lack is capped.
package struct SessionLimits: Equatable, Sendable {
    /// Caps on one received payload.
    package var payload: PayloadLimits
    /// Most items the peer may claim we lack in one session (what we lack is recorded per item;
    /// what we hold is bounded by our own index and needs no cap).
    package var itemsToReceive: Int
    /// Most separate intervals where we told the peer we hold nothing.
    package var openIntervals: Int

    package init(payload: PayloadLimits, itemsToReceive: Int, openIntervals: Int) {
        self.payload = payload
        self.itemsToReceive = itemsToReceive
        self.openIntervals = openIntervals
    }

    /// The node's defaults.
    package static let standard = SessionLimits(
        payload: PayloadLimits(ranges: 131_072, items: 1_500_000),
        itemsToReceive: 400_000,
        openIntervals: 131_072
    )

    /// No caps (offline replays of captured sessions).
    package static let unlimited = SessionLimits(payload: .unlimited, itemsToReceive: .max, openIntervals: .max)
}
