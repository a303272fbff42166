import Testing
import WakuCore
import WakuSync
import WakuTestSupport

@Suite("Reconciliation session")
struct ReconciliationSessionTests {
    static let start: Int64 = 1_700_000_000_000_000_000
    static let end: Int64 = start + 3_600_000_000_000

    static func index(_ ids: [SyncID], topic: String = "/waku/2/rs/1/0") -> SyncIndex {
        let index = SyncIndex()
        for id in ids { index.insert(id, pubsubTopic: topic, contentTopic: "/app/1/chat/proto") }
        return index
    }

    static func ids(_ count: Int, seed: UInt64) -> [SyncID] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            SyncID(timestamp: start + Int64(generator.next() % 3_600_000_000_000), hash: generator.nextHash())
        }
    }

    static func kinds(_ payload: [UInt8]) throws -> [String] {
        try RangesData(decoding: payload).ranges.map(\.kind.name)
    }

    @Test("nwaku's typical exchange: fingerprint, item set, reconciled item set, 00 (PROTOCOLS.md §4.8)")
    func typicalExchange() throws {
        let shared = Self.ids(45, seed: 1)
        let initiator = Self.index(shared + Self.ids(3, seed: 2))
        let responder = Self.index(shared + Self.ids(4, seed: 3))
        let transcript = SessionReplay(initiator: .init(strategy: .nwaku), responder: .init(strategy: .nwaku))
            .run(initiatorIndex: initiator, responderIndex: responder, from: Self.start, to: Self.end)
        #expect(transcript.failure == nil)
        #expect(transcript.frames.map(\.from) == [.initiator, .responder, .initiator, .responder])
        #expect(try Self.kinds(transcript.frames[0].payload) == ["fingerprint"])
        let answer = try RangesData(decoding: transcript.frames[1].payload)
        guard case .itemSet(let responderItems) = answer.ranges.first?.kind else {
            Issue.record("the responder answers with an item set")
            return
        }
        #expect(responderItems.items.count == 49 && !responderItems.isReconciled)
        let reconciled = try RangesData(decoding: transcript.frames[2].payload)
        guard case .itemSet(let initiatorItems) = reconciled.ranges.first?.kind else {
            Issue.record("the initiator answers with its item set")
            return
        }
        #expect(initiatorItems.items.count == 48 && initiatorItems.isReconciled)
        #expect(transcript.frames[3].payload == [0])
        #expect(transcript.roundTrips == 2)
        #expect(transcript.initiator.hashesToSend.count == 3 && transcript.initiator.hashesToReceive.count == 4)
        #expect(transcript.responder.hashesToSend.count == 4 && transcript.responder.hashesToReceive.count == 3)
        #expect(transcript.initiator.ending == .reconciled && transcript.responder.ending == .reconciled)
    }

    @Test("a session whose peer claims more items we lack than the limit ends with overLimit")
    func claimedItemsLimit() {
        let initiator = Self.index(Self.ids(300, seed: 11))
        let responder = Self.index(Self.ids(300, seed: 12))
        var limited = ReconciliationSession.Configuration(strategy: .balanced)
        limited.limits.itemsToReceive = 100
        let transcript = SessionReplay(initiator: .init(strategy: .balanced), responder: limited)
            .run(initiatorIndex: initiator, responderIndex: responder, from: Self.start, to: Self.end)
        #expect(transcript.failure?.code == .overLimit)
        #expect(transcript.responder.itemsToReceive.count > 100)
        let unlimited = SessionReplay(initiator: .init(strategy: .balanced), responder: .init(strategy: .balanced))
            .run(initiatorIndex: initiator, responderIndex: responder, from: Self.start, to: Self.end)
        #expect(unlimited.failure == nil)
    }

    @Test("open intervals beyond the limit end the session; the set stays merged")
    func openIntervalLimit() throws {
        // 2 000 separate differing ranges where we hold nothing: each becomes an open interval.
        var ranges: [SyncRange] = []
        for number in 0..<2_000 {
            let lower = Self.start + Int64(number) * 1_000_000_000
            ranges.append(SyncRange(lower: .bound(lower), upper: .bound(lower + 500_000_000), kind: .fingerprint(.max)))
            ranges.append(
                SyncRange(lower: .bound(lower + 500_000_000), upper: .bound(lower + 1_000_000_000), kind: .skip)
            )
        }
        let payload = RangesData(ranges: ranges).encoded()
        var limited = ReconciliationSession.Configuration(strategy: .balanced)
        limited.limits.openIntervals = 1_000
        var session = ReconciliationSession(role: .responder, configuration: limited)
        let error = #expect(throws: SessionError.self) { try session.receive(payload, index: Self.index([])) }
        #expect(error?.code == .overLimit)
        var roomy = ReconciliationSession(role: .responder, configuration: .init(strategy: .balanced))
        _ = try roomy.receive(payload, index: Self.index([]))
        #expect(roomy.openIntervals.count == 2_000)
    }

    @Test("identical sets: one round trip, under 100 bytes each way", arguments: [SyncStrategy.balanced, .nwaku])
    func identical(strategy: SyncStrategy) {
        let items = Self.ids(50_000, seed: 4)
        let transcript = SessionReplay(
            initiator: .init(strategy: strategy, pubsubTopics: ["/waku/2/rs/1/0"]),
            responder: .init(strategy: strategy)
        )
        .run(initiatorIndex: Self.index(items), responderIndex: Self.index(items), from: Self.start, to: Self.end)
        #expect(transcript.roundTrips == 1)
        #expect(transcript.bytes(from: .initiator) <= 100)
        #expect(transcript.bytes(from: .responder) <= 100)
        #expect(transcript.frames.last?.payload == [0])
    }

    @Test("disjoint topic scopes: the responder answers with a zero-length frame and both stop")
    func scopeMismatch() {
        let items = Self.ids(10, seed: 5)
        let transcript = SessionReplay(
            initiator: .init(pubsubTopics: ["/waku/2/rs/1/0"]),
            responder: .init(pubsubTopics: ["/waku/2/rs/1/5"])
        ).run(initiatorIndex: Self.index(items), responderIndex: Self.index(items), from: Self.start, to: Self.end)
        #expect(transcript.frames.count == 2)
        #expect(transcript.frames[1].payload.isEmpty)
        #expect(transcript.responder.ending == .scopeMismatch)
        #expect(transcript.initiator.isFinished)
        #expect(transcript.failure == nil)
    }

    @Test("a payload that does not decode ends the session with a decode error")
    func decodeError() throws {
        var session = ReconciliationSession(role: .responder, configuration: .init())
        let error = #expect(throws: SessionError.self) { try session.receive([0, 0, 0x80], index: SyncIndex()) }
        #expect(error?.code == .decode)
    }

    @Test("a peer that never stops hits the round limit")
    func roundLimit() throws {
        let index = Self.index(Self.ids(1_000, seed: 6))
        var session = ReconciliationSession(role: .responder, configuration: .init(roundLimit: 3))
        let payload = RangesData(ranges: [
            SyncRange(lower: .bound(Self.start), upper: .bound(Self.end), kind: .fingerprint(.max))
        ]).encoded()
        for _ in 0..<3 { _ = try session.receive(payload, index: index) }
        let error = #expect(throws: SessionError.self) { try session.receive(payload, index: index) }
        #expect(error?.code == .roundLimit)
    }

    @Test("ranges outside the session window are refused")
    func outsideWindow() throws {
        let index = Self.index(Self.ids(100, seed: 7))
        var session = ReconciliationSession(role: .initiator, configuration: .init())
        _ = session.start(from: Self.start, to: Self.end, index: index)
        let outside = RangesData(ranges: [
            SyncRange(lower: .bound(Self.start - 10), upper: .bound(Self.end), kind: .fingerprint(.max))
        ]).encoded()
        let error = #expect(throws: SessionError.self) { try session.receive(outside, index: index) }
        #expect(error?.code == .outsideWindow)
    }

    @Test("after the session ended, another payload is an error")
    func afterEnd() throws {
        var session = ReconciliationSession(role: .responder, configuration: .init())
        #expect(try session.receive([0], index: SyncIndex()) == .finish)
        #expect(throws: SessionError.self) { try session.receive([0], index: SyncIndex()) }
    }

    @Test("balanced splits emit bounds that survive nwaku's decoder unchanged")
    func boundsSurviveDecoding() throws {
        var shape = SyncScenario.Shape(itemsPerSide: 30_000, differing: 0.01, distinctTimestamps: 20_000)
        shape.outside = 0
        let scenario = SyncScenario(shape, seed: 8)
        let transcript = SessionReplay(initiator: .init(strategy: .balanced), responder: .init(strategy: .balanced))
            .run(
                initiatorIndex: scenario.initiator,
                responderIndex: scenario.responder,
                from: scenario.start,
                to: scenario.end
            )
        #expect(transcript.roundTrips <= 5)
        for frame in transcript.frames.dropFirst() where frame.payload.count > 1 {
            let decoded = try RangesData(decoding: frame.payload)
            #expect(decoded.encoded() == frame.payload)
            for range in decoded.ranges.dropFirst() {
                #expect(range.lower.hash.isZero && range.upper.hash.isZero)
                #expect(range.lower.timestamp < range.upper.timestamp)
            }
        }
    }

    @Test("balanced records what it lacks even where it holds nothing; nwaku does not (§4.9)")
    func lacksWhereHoldingNothing() throws {
        let theirs = Self.ids(3, seed: 9)
        let itemSet = RangesData(ranges: [
            SyncRange(
                lower: .bound(Self.start),
                upper: .bound(Self.end),
                kind: .itemSet(ItemSet(items: theirs.sorted(), isReconciled: false))
            )
        ]).encoded()
        var balanced = ReconciliationSession(role: .responder, configuration: .init(strategy: .balanced))
        _ = try balanced.receive(itemSet, index: SyncIndex())
        #expect(Set(balanced.hashesToReceive) == Set(theirs.map(\.hash)))
        var nwaku = ReconciliationSession(role: .responder, configuration: .init(strategy: .nwaku))
        let step = try nwaku.receive(itemSet, index: SyncIndex())
        #expect(nwaku.hashesToReceive.isEmpty)
        // nwaku answers "I hold nothing" with an empty, reconciled item set.
        guard case .reply(let reply) = step,
            case .itemSet(let answer) = try RangesData(decoding: reply).ranges.first?.kind
        else {
            Issue.record("nwaku replies with an item set")
            return
        }
        #expect(answer.items.isEmpty && answer.isReconciled)
    }
}
