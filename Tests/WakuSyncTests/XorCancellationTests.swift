import Testing
import WakuCore
import WakuSync
import WakuTestSupport

/// The limit of XOR fingerprints, stated as a test: messages whose hashes XOR to zero are
/// invisible to reconciliation (docs/SECURITY.md). Transfer never stores a push for them either,
/// since no session asked for their hashes.
@Suite("XOR cancellation")
struct XorCancellationTests {
    @Test("a set of messages whose hashes XOR to zero is not found by either strategy")
    func hidden() {
        let start: Int64 = 1_700_000_000_000_000_000
        var generator = SeededGenerator(seed: 5)
        let candidates = (0..<300).map { _ in
            SyncID(timestamp: start + Int64(generator.next() % 3_000_000_000_000), hash: generator.nextHash())
        }
        let hidden = XorCancellation.subset(of: candidates.map(\.hash)).map { candidates[$0] }
        #expect(hidden.count > 2)
        #expect(hidden.reduce(MessageHash.zero) { $0 ^ $1.hash } == .zero)
        for strategy in [SyncStrategy.balanced, .nwaku] {
            let shared = (0..<2_000).map { _ in
                SyncID(timestamp: start + Int64(generator.next() % 3_000_000_000_000), hash: generator.nextHash())
            }
            let withHidden = SyncIndex()
            let without = SyncIndex()
            for id in shared {
                withHidden.insert(id, pubsubTopic: "/t", contentTopic: "/c")
                without.insert(id, pubsubTopic: "/t", contentTopic: "/c")
            }
            for id in hidden { withHidden.insert(id, pubsubTopic: "/t", contentTopic: "/c") }
            let transcript = SessionReplay(initiator: .init(strategy: strategy), responder: .init(strategy: strategy))
                .run(initiatorIndex: withHidden, responderIndex: without, from: start, to: start + 3_600_000_000_000)
            // The first fingerprints match: one round trip, nothing found. This is the limit.
            #expect(transcript.roundTrips == 1)
            #expect(transcript.initiator.hashesToSend.isEmpty && transcript.responder.hashesToReceive.isEmpty)
        }
    }
}
