internal import Foundation
internal import WakuCore
internal import WakuSync

/// The reconciliation scenarios of PERFORMANCE.md §1: N items per side, a fraction f of each
/// side's items unique to it, timestamps uniform over one hour, random hashes, one pubsub and
/// one content topic, no topic filter. Filling the indexes is not measured.
enum SyncBenchmark {
    struct Scenario: CustomStringConvertible {
        var items: Int
        var differing: Double
        var strategy: SyncStrategy.Kind

        var description: String {
            "\(self.items) items, \(self.differing * 100) % differing, \(self.strategy.rawValue)"
        }
    }

    struct Result: Codable {
        var items: Int
        var differing: Double
        var strategy: String
        var roundTrips: Int
        var bytesInitiatorToResponder: Int
        var bytesResponderToInitiator: Int
        var bytesTotal: Int
        var cpuMsInitiator: Double
        var cpuMsResponder: Double
        var cpuMsTotal: Double
        var peakMemoryBytes: Int
        /// The largest frame of the session, and the most ranges and items one frame carried:
        /// what the session limits must leave room for.
        var largestFrameBytes: Int
        var mostRangesInFrame: Int
        var mostItemsInFrame: Int
        var correct: Bool
    }

    static let matrix: [Scenario] = [10_000, 100_000, 1_000_000].flatMap { items in
        [0, 0.001, 0.01].flatMap { differing in
            SyncStrategy.Kind.allCases.reversed().map { Scenario(items: items, differing: differing, strategy: $0) }
        }
    }

    static let start: Int64 = 1_700_000_000_000_000_000
    static let end: Int64 = start + 3_600_000_000_000

    static func run(_ scenario: Scenario, seed: UInt64) -> (Result, SessionReplay.Transcript) {
        var generator = SeededRandom(seed: seed)
        let unique = Int(Double(scenario.items) * scenario.differing)
        func generate(_ count: Int) -> [SyncID] {
            (0..<count).map { _ in
                SyncID(
                    timestamp: start + Int64(generator.next() % UInt64(end - start)),
                    hash: generator.nextHash()
                )
            }
        }
        let shared = generate(scenario.items - unique)
        let onlyInitiator = generate(unique)
        let onlyResponder = generate(unique)
        let initiator = Self.index(shared + onlyInitiator)
        let responder = Self.index(shared + onlyResponder)

        let strategy = SyncStrategy.defaults(for: scenario.strategy)
        var cpu: [ReconciliationSession.Role: Duration] = [.initiator: .zero, .responder: .zero]
        let transcript = SessionReplay(initiator: .init(strategy: strategy), responder: .init(strategy: strategy))
            .run(initiatorIndex: initiator, responderIndex: responder, from: start, to: end) { role, work in
                cpu[role, default: .zero] += Measurement.cpuTime(work)
            }
        let foundInitiator = Set(transcript.initiator.hashesToSend).union(transcript.responder.hashesToReceive)
        let foundResponder = Set(transcript.responder.hashesToSend).union(transcript.initiator.hashesToReceive)
        let correct =
            transcript.failure == nil && foundInitiator == Set(onlyInitiator.map(\.hash))
            && foundResponder == Set(onlyResponder.map(\.hash))
        let initiatorMs = Measurement.milliseconds(cpu[.initiator] ?? .zero)
        let responderMs = Measurement.milliseconds(cpu[.responder] ?? .zero)
        let result = Result(
            items: scenario.items,
            differing: scenario.differing,
            strategy: scenario.strategy.rawValue,
            roundTrips: transcript.roundTrips,
            bytesInitiatorToResponder: transcript.bytes(from: .initiator),
            bytesResponderToInitiator: transcript.bytes(from: .responder),
            bytesTotal: transcript.bytes,
            cpuMsInitiator: initiatorMs,
            cpuMsResponder: responderMs,
            cpuMsTotal: initiatorMs + responderMs,
            peakMemoryBytes: Measurement.peakResidentBytes(),
            largestFrameBytes: transcript.frames.map(\.payload.count).max() ?? 0,
            mostRangesInFrame: transcript.frames.map { Self.decoded($0).ranges.count }.max() ?? 0,
            mostItemsInFrame: transcript.frames.map { Self.itemCount(Self.decoded($0)) }.max() ?? 0,
            correct: correct
        )
        return (result, transcript)
    }

    private static func decoded(_ frame: SessionReplay.Frame) -> RangesData {
        (try? RangesData(decoding: frame.payload)) ?? RangesData()
    }

    private static func itemCount(_ payload: RangesData) -> Int {
        payload.ranges.reduce(0) { total, range in
            guard case .itemSet(let set) = range.kind else { return total }
            return total + set.items.count
        }
    }

    static func index(_ ids: [SyncID]) -> SyncIndex {
        let index = SyncIndex()
        index.load(
            sorted: ids.sorted().map {
                SyncIndex.Entry(id: $0, pubsubTopic: "/waku/2/rs/1/0", contentTopic: "/bench/1/sync/proto")
            }
        )
        return index
    }
}
