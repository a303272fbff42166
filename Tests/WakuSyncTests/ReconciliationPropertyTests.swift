import Testing
import WakuCore
import WakuSync
import WakuTestSupport

@Suite("Reconciliation finds exactly the symmetric difference")
struct ReconciliationPropertyTests {
    static let pairings: [(SyncStrategy, SyncStrategy)] = [
        (.balanced, .balanced), (.balanced, .nwaku), (.nwaku, .balanced), (.nwaku, .nwaku),
    ]

    static func run(
        _ scenario: SyncScenario,
        initiator: ReconciliationSession.Configuration,
        responder: ReconciliationSession.Configuration
    ) -> SessionReplay.Transcript {
        SessionReplay(initiator: initiator, responder: responder)
            .run(
                initiatorIndex: scenario.initiator,
                responderIndex: scenario.responder,
                from: scenario.start,
                to: scenario.end
            )
    }

    static func expectExact(_ transcript: SessionReplay.Transcript, _ scenario: SyncScenario, _ label: String) {
        #expect(transcript.failure == nil, "\(label): \(String(describing: transcript.failure))")
        #expect(transcript.initiator.isFinished && transcript.responder.isFinished, "\(label)")
        let foundInitiatorOnly = Set(transcript.initiator.hashesToSend).union(transcript.responder.hashesToReceive)
        let foundResponderOnly = Set(transcript.responder.hashesToSend).union(transcript.initiator.hashesToReceive)
        #expect(foundInitiatorOnly == scenario.onlyInitiator, "\(label): initiator-only items")
        #expect(foundResponderOnly == scenario.onlyResponder, "\(label): responder-only items")
        // Every item one side pushes is one the other side asked for: listed as lacking, or in a
        // range where it said it holds nothing. Transfer accepts nothing else.
        for (sender, receiver) in [
            (transcript.initiator, transcript.responder), (transcript.responder, transcript.initiator),
        ] {
            let wanted = Set(receiver.hashesToReceive)
            let unrequested = sender.itemsToSend.filter { item in
                !wanted.contains(item.hash) && !receiver.openIntervals.contains(item)
            }
            #expect(
                unrequested.isEmpty,
                "\(label): \(unrequested.count) pushes from the \(sender.role) were never requested"
            )
        }
    }

    /// Runs a scenario of `shape` once per pairing of strategies and checks each exactly.
    static func checkEveryPairing(_ shape: SyncScenario.Shape, seed: UInt64, _ label: String) {
        for (number, pairing) in Self.pairings.enumerated() {
            let scenario = SyncScenario(shape, seed: seed + UInt64(number))
            let transcript = Self.run(
                scenario,
                initiator: .init(strategy: pairing.0),
                responder: .init(strategy: pairing.1)
            )
            Self.expectExact(transcript, scenario, "\(pairing.0.kind)→\(pairing.1.kind) \(label)")
        }
    }

    @Test(
        "every pairing of strategies, sizes from 0 to 100k, 0 to 50 % differing",
        arguments: [
            (0, 0.0), (1, 0.0), (1, 1.0), (7, 0.5), (150, 0.02), (1_000, 0.0), (1_000, 0.5), (5_000, 0.01),
            (20_000, 0.001), (20_000, 0.3), (100_000, 0.01),
        ]
    )
    func sizes(items: Int, differing: Double) {
        Self.checkEveryPairing(
            .init(itemsPerSide: items, differing: differing),
            seed: UInt64(items * 10),
            "\(items) items \(differing)"
        )
    }

    @Test("equal timestamps: many items share each timestamp", arguments: [(2_000, 0.1), (10_000, 0.05)])
    func equalTimestamps(items: Int, differing: Double) {
        let shape = SyncScenario.Shape(itemsPerSide: items, differing: differing, distinctTimestamps: Int64(items / 8))
        Self.checkEveryPairing(shape, seed: 100, "equal timestamps")
    }

    @Test("items outside the window are neither compared nor reported")
    func outsideWindow() {
        var shape = SyncScenario.Shape(itemsPerSide: 3_000, differing: 0.1)
        shape.outside = 0.2
        Self.checkEveryPairing(shape, seed: 200, "outside window")
    }

    @Test("topic filters: only the intersection of both sides' scopes is reconciled")
    func topicFilters() {
        for (number, pairing) in Self.pairings.enumerated() {
            var shape = SyncScenario.Shape(itemsPerSide: 4_000, differing: 0.2)
            shape.pubsubTopics = ["/waku/2/rs/1/0", "/waku/2/rs/1/1", "/waku/2/rs/1/2"]
            shape.contentTopics = ["/a/1/x/proto", "/b/1/y/proto", "/c/1/z/proto"]
            shape.scopedPubsub = ["/waku/2/rs/1/1"]
            shape.scopedContent = ["/b/1/y/proto", "/c/1/z/proto"]
            let scenario = SyncScenario(shape, seed: UInt64(number + 300))
            let initiator = ReconciliationSession.Configuration(
                strategy: pairing.0,
                pubsubTopics: ["/waku/2/rs/1/0", "/waku/2/rs/1/1"],
                contentTopics: ["/b/1/y/proto", "/c/1/z/proto"]
            )
            let responder = ReconciliationSession.Configuration(
                strategy: pairing.1,
                pubsubTopics: ["/waku/2/rs/1/1", "/waku/2/rs/1/2"],
                contentTopics: []
            )
            let transcript = Self.run(scenario, initiator: initiator, responder: responder)
            Self.expectExact(transcript, scenario, "\(pairing.0.kind)→\(pairing.1.kind) topics")
            #expect(transcript.responder.agreedPubsubTopics == ["/waku/2/rs/1/1"])
        }
    }
}
