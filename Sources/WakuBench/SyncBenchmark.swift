internal import Foundation
internal import WakuCore
package import WakuSync

/// The reconciliation scenarios of PERFORMANCE.md §1 (`wakusync bench sync`): N items per side, a
/// fraction f of each side's items unique to it, timestamps uniform over one hour, random hashes,
/// one pubsub and one content topic, no topic filter. Filling the indexes is not measured.
package enum SyncBenchmark {
    /// One scenario: items per side, the fraction unique to each side, the strategy both use.
    package struct Scenario: CustomStringConvertible {
        /// Items on each side.
        package var items: Int
        /// The fraction (0…1) of each side's items unique to it.
        package var differing: Double
        /// The strategy both sides use.
        package var strategy: SyncStrategy.Kind

        /// A scenario of `items` per side, `differing` of them unique to each.
        package init(items: Int, differing: Double, strategy: SyncStrategy.Kind) {
            self.items = items
            self.differing = differing
            self.strategy = strategy
        }

        /// As the matrix run announces it ("10000 items, 0.1 % differing, nwaku").
        package var description: String {
            "\(self.items) items, \(self.differing * 100) % differing, \(self.strategy.rawValue)"
        }
    }

    /// The figures of one scenario; Codable, as a child process hands them to the matrix run.
    package struct Result: Codable {
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
        /// Whether each side found exactly the items unique to the other.
        package var correct: Bool
    }

    /// Every scenario of the full run: 10k/100k/1M × 0/0.1/1 % × both strategies.
    package static let matrix: [Scenario] = [10_000, 100_000, 1_000_000].flatMap { items in
        [0, 0.001, 0.01].flatMap { differing in
            SyncStrategy.Kind.allCases.reversed().map { Scenario(items: items, differing: differing, strategy: $0) }
        }
    }

    /// The start of the generated items' hour, in nanoseconds since the epoch.
    package static let start: Int64 = 1_700_000_000_000_000_000
    /// The end of the generated items' hour.
    package static let end: Int64 = start + 3_600_000_000_000

    /// Runs one scenario; the transcript keeps the frames' payloads only when `keepingFrames`
    /// (at a million items nwaku's strategy sends 71 MB, which would count in the peak memory).
    package static func run(
        _ scenario: Scenario,
        seed: UInt64,
        keepingFrames: Bool = false
    ) -> (Result, SessionReplay.Transcript) {
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
        // Sorted in place and merged into each tree as it is built: nothing but the shared items
        // and the two trees is ever held (PERFORMANCE.md §1 counts the peak of the whole run).
        var shared = generate(scenario.items - unique)
        var onlyInitiator = generate(unique)
        var onlyResponder = generate(unique)
        shared.sort(by: <)
        onlyInitiator.sort(by: <)
        onlyResponder.sort(by: <)
        let initiator = Self.index(merging: shared, onlyInitiator)
        let responder = Self.index(merging: shared, onlyResponder)
        shared = []

        let strategy = SyncStrategy.defaults(for: scenario.strategy)
        var cpu: [ReconciliationSession.Role: Duration] = [.initiator: .zero, .responder: .zero]
        let transcript = SessionReplay(initiator: .init(strategy: strategy), responder: .init(strategy: strategy))
            .run(
                initiatorIndex: initiator,
                responderIndex: responder,
                from: start,
                to: end,
                keepingPayloads: keepingFrames
            ) { role, work in
                cpu[role, default: .zero] += Measurement.cpuTime(work)
            }
        let foundInitiator = Set(transcript.initiator.hashesToSend).union(transcript.responder.hashesToReceive)
        let foundResponder = Set(transcript.responder.hashesToSend).union(transcript.initiator.hashesToReceive)
        let correct =
            transcript.failure == nil && foundInitiator == Set(onlyInitiator.map(\.hash))
            && foundResponder == Set(onlyResponder.map(\.hash))
        // Every frame is received by one side, whose round report counts its ranges and items.
        let received = (transcript.initiator.rounds + transcript.responder.rounds).map(\.rangesReceived)
        let initiatorMs = (cpu[.initiator] ?? .zero).milliseconds
        let responderMs = (cpu[.responder] ?? .zero).milliseconds
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
            largestFrameBytes: transcript.frames.map(\.size).max() ?? 0,
            mostRangesInFrame: received.map(\.total).max() ?? 0,
            mostItemsInFrame: received.map(\.items).max() ?? 0,
            correct: correct
        )
        return (result, transcript)
    }

    /// Runs one scenario in a child process, so that its peak memory is its own: this executable
    /// with `arguments`, which must print the scenario's ``Report`` as JSON.
    package static func runInChild(_ scenario: Scenario, arguments: [String]) throws -> Result {
        let child = try OwnExecutable.run(arguments)
        guard child.status == 0,
            let result = try JSONDecoder().decode(Report.self, from: child.output).scenarios.first
        else {
            throw BenchFailure("scenario \(scenario) failed (status \(child.status))")
        }
        return result
    }

    /// An index of the union of two ascending lists, loaded as they are merged.
    static func index(merging left: [SyncID], _ right: [SyncID]) -> SyncIndex {
        var leftIndex = 0
        var rightIndex = 0
        let merged = AnyIterator<SyncID> {
            guard leftIndex < left.count else {
                defer { rightIndex += 1 }
                return rightIndex < right.count ? right[rightIndex] : nil
            }
            if rightIndex < right.count && right[rightIndex] < left[leftIndex] {
                defer { rightIndex += 1 }
                return right[rightIndex]
            }
            defer { leftIndex += 1 }
            return left[leftIndex]
        }
        let index = SyncIndex()
        index.load(sorted: merged, pubsubTopic: "/waku/2/rs/1/0", contentTopic: "/bench/1/sync/proto")
        return index
    }
}
