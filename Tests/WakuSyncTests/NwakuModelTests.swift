import Foundation
import Testing
import WakuCore
import WakuSync
import WakuTestSupport

/// Cross-checks the `nwaku` strategy against `Reference/nwaku_sync_model.py`, a line-by-line
/// model of nwaku master's sorted-array SeqStorage, codec and reconciliation loop: every frame
/// and both difference lists must be identical.
@Suite("nwaku strategy matches a line-by-line model of nwaku's code")
struct NwakuModelTests {
    struct Item {
        var id: SyncID
        var pubsubTopic: String
        var contentTopic: String

        var json: [String: Any] {
            [
                "timestamp": self.id.timestamp, "hash": self.id.hash.hex, "pubsubTopic": self.pubsubTopic,
                "contentTopic": self.contentTopic,
            ]
        }
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var items: Int
        var differing: Double
        var distinctTimestamps: Int64
        var topics: Bool = false
        var threshold = 100
        var partitions = 8

        var testDescription: String { self.name }
    }

    static let cases: [Case] = [
        Case(name: "small", items: 60, differing: 0.1, distinctTimestamps: 3_600_000),
        Case(name: "partitions", items: 3_000, differing: 0.02, distinctTimestamps: 3_600_000_000),
        Case(name: "dense differences", items: 2_500, differing: 0.3, distinctTimestamps: 3_600_000_000),
        Case(name: "equal timestamps and narrow ranges", items: 2_000, differing: 0.05, distinctTimestamps: 40),
        Case(
            name: "topics and the unknown-topic quirk",
            items: 2_000,
            differing: 0.05,
            distinctTimestamps: 3_600_000_000,
            topics: true
        ),
        Case(
            name: "threshold 10, 3 partitions",
            items: 2_000,
            differing: 0.01,
            distinctTimestamps: 3_600_000_000,
            threshold: 10,
            partitions: 3
        ),
    ]

    static let start: Int64 = 1_700_000_000_000_000_000
    static let end: Int64 = start + 3_600_000_000_000

    static func generate(_ testCase: Case, seed: UInt64) -> ([Item], [Item]) {
        var generator = SeededGenerator(seed: seed)
        let pubsub = testCase.topics ? ["/waku/2/rs/1/0", "/waku/2/rs/1/1"] : ["/waku/2/rs/1/0"]
        let content = testCase.topics ? ["/a/1/x/proto", "/b/1/y/proto"] : ["/a/1/x/proto"]
        let step = (end - start) / testCase.distinctTimestamps
        func item() -> Item {
            // A few items fall outside the window, on both sides of it.
            let slot = Int64(generator.next() % UInt64(testCase.distinctTimestamps + 4)) - 2
            return Item(
                id: SyncID(timestamp: start + slot * step, hash: generator.nextHash()),
                pubsubTopic: pubsub[Int(generator.next() % UInt64(pubsub.count))],
                contentTopic: content[Int(generator.next() % UInt64(content.count))]
            )
        }
        let unique = Int(Double(testCase.items) * testCase.differing)
        let shared = (0..<(testCase.items - unique)).map { _ in item() }
        return (shared + (0..<unique).map { _ in item() }, shared + (0..<unique).map { _ in item() })
    }

    static func index(_ items: [Item]) -> SyncIndex {
        let index = SyncIndex()
        for item in items { index.insert(item.id, pubsubTopic: item.pubsubTopic, contentTopic: item.contentTopic) }
        return index
    }

    @Test("frames and difference lists are identical", arguments: cases)
    func matchesModel(_ testCase: Case) throws {
        let (initiatorItems, responderItems) = Self.generate(testCase, seed: UInt64(testCase.items) + 7)
        // With topics, the initiator names a topic nobody holds: nwaku then drops it from the
        // filter, and only the known one counts.
        let initiatorPubsub = testCase.topics ? ["/waku/2/rs/1/0", "/waku/2/rs/9/9"] : []
        let responderContent = testCase.topics ? ["/nobody/1/z/proto"] : []
        let strategy = SyncStrategy(kind: .nwaku, itemSetThreshold: testCase.threshold, partitions: testCase.partitions)
        let transcript = SessionReplay(
            initiator: .init(strategy: strategy, pubsubTopics: initiatorPubsub),
            responder: .init(strategy: strategy, contentTopics: responderContent)
        ).run(
            initiatorIndex: Self.index(initiatorItems),
            responderIndex: Self.index(responderItems),
            from: Self.start,
            to: Self.end
        )
        #expect(transcript.failure == nil)

        let spec: [String: Any] = [
            "initiator": initiatorItems.map(\.json), "responder": responderItems.map(\.json), "from": Self.start,
            "to": Self.end,
            "initiatorPubsubTopics": initiatorPubsub, "responderContentTopics": responderContent,
            "threshold": testCase.threshold, "partitions": testCase.partitions,
        ]
        let script = Executables.packageRoot.appendingPathComponent("Tests/WakuSyncTests/Reference/nwaku_sync_model.py")
        let result = try ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", script.path],
            stdin: try JSONSerialization.data(withJSONObject: spec)
        )
        try #require(result.status == 0, "model failed: \(result.stderr)")
        let model = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let frames = try #require(model["frames"] as? [[String: String]])
        #expect(frames.count == transcript.frames.count)
        for (number, (ours, theirs)) in zip(transcript.frames, frames).enumerated() {
            #expect(ours.from.rawValue == theirs["from"], "frame \(number)")
            #expect(ours.payload.hexString == theirs["hex"], "frame \(number) of \(frames.count)")
        }
        for (side, session) in [("initiator", transcript.initiator), ("responder", transcript.responder)] {
            let lists = try #require(model[side] as? [String: [String]])
            #expect(session.hashesToSend.map(\.hex) == lists["hashesToSend"], "\(side) to send")
            #expect(session.hashesToReceive.map(\.hex) == lists["hashesToReceive"], "\(side) to receive")
        }
        #expect(transcript.frames.count > 2, "the case exercises more than one exchange")
    }
}
