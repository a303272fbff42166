import NodeEvents
import Testing
import WakuCore
import WakuSync
import WakuTestSupport

@testable import WakuNode

@Suite("Missing-hash queues")
struct MissingTrackerTests {
    static func items(_ count: Int, seed: UInt64) -> [SyncID] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { SyncID(timestamp: Int64($0), hash: generator.nextHash()) }
    }

    @Test("arrivals clear pending hashes; after the grace period the rest is fetched in batches of 50")
    func fetchAfterGrace() {
        var tracker = MissingTracker<String>()
        let needed = Self.items(120, seed: 1)
        tracker.record(peer: "p", weNeed: needed, theyNeed: Self.items(3, seed: 2), at: 0)
        #expect(tracker.snapshot(of: "p")?.weNeedPending == 120)
        #expect(tracker.snapshot(of: "p")?.theyNeedPending == 3)
        let first = tracker.arrived(needed[0].hash, from: "p", fetched: false)
        let again = tracker.arrived(needed[0].hash, from: "p", fetched: false)
        #expect(first && !again)
        #expect(tracker.snapshot(of: "p")?.received == 2)
        let early = tracker.dueForFetch(from: "p", grace: .seconds(10), at: 9_000_000_000)
        #expect(early.isEmpty)
        let batches = tracker.dueForFetch(from: "p", grace: .seconds(10), at: 10_000_000_000)
        #expect(batches.map(\.count) == [50, 50, 19])
        #expect(Set(batches.flatMap { $0 }) == Set(needed.dropFirst().map(\.hash)))
        let repeated = tracker.dueForFetch(from: "p", grace: .seconds(10), at: 20_000_000_000)
        #expect(repeated.isEmpty)
        tracker.arrived(needed[1].hash, from: "p", fetched: true)
        tracker.unavailable(Array(needed.suffix(10).map(\.hash)), from: "p")
        let queue = tracker.snapshot(of: "p")
        #expect(queue?.received == 2 && queue?.fetched == 1 && queue?.unavailable == 10)
        #expect(queue?.weNeedPending == 108)
        #expect(queue?.newestWeNeed.count == MissingTracker<String>.newestShown)
        #expect(queue?.newestWeNeed.first?.timestamp == 119)
    }

    @Test("pushes to the peer are counted; the queue is bounded")
    func pushesAndBound() {
        var tracker = MissingTracker<String>(limit: 10)
        let theirs = Self.items(4, seed: 3)
        tracker.record(peer: "p", weNeed: Self.items(25, seed: 4), theyNeed: theirs, at: 0)
        #expect(tracker.snapshot(of: "p")?.weNeedPending == 10)
        tracker.pushed(theirs[0].hash, to: "p")
        tracker.abandonPush(theirs[1].hash, to: "p")
        #expect(tracker.snapshot(of: "p")?.sent == 1)
        #expect(tracker.snapshot(of: "p")?.theyNeedPending == 2)
    }
}

@Suite("Resume plan and peer choice")
struct ResumePlanTests {
    static let now: Int64 = 1_700_000_000_000_000_000
    static let sixHours: Int64 = 6 * 3_600 * 1_000_000_000

    @Test("resume covers the time since last online, at most six hours, one query per pubsub topic")
    func window() {
        let recent = ResumePlan(
            lastOnline: Self.now - 600_000_000_000,
            now: Self.now,
            pubsubTopics: ["/a", "/b"],
            contentTopics: []
        )
        #expect(recent.start == Self.now - 600_000_000_000 && recent.end == Self.now)
        #expect(recent.pubsubTopics == ["/a", "/b"])
        let old = ResumePlan(
            lastOnline: Self.now - 2 * Self.sixHours,
            now: Self.now,
            pubsubTopics: [],
            contentTopics: ["/c/1/d/e"]
        )
        #expect(old.start == Self.now - Self.sixHours)
        #expect(old.pubsubTopics == [nil])
        #expect(
            ResumePlan(lastOnline: nil, now: Self.now, pubsubTopics: [], contentTopics: []).start == Self.now
                - Self.sixHours
        )
    }

    @Test("sync picks only connected, sync-speaking, unpaused, idle peers; resume only store peers")
    func eligibility() {
        func peer(
            _ id: String,
            state: PeerSnapshot.State = .connected,
            sync: Bool = true,
            paused: Bool = false
        ) -> PeerSnapshot {
            var snapshot = PeerSnapshot(peerID: id, state: state)
            snapshot.protocols = sync ? ["/vac/waku/reconciliation/1.0.0", "/vac/waku/store-query/3.0.0"] : []
            snapshot.isPaused = paused
            return snapshot
        }
        let list = [
            peer("a"), peer("b", state: .disconnected), peer("c", sync: false), peer("d", paused: true), peer("e"),
            peer("f"),
        ]
        let peers = Dictionary(uniqueKeysWithValues: list.map { ($0.peerID, $0) })
        #expect(PeerChoice.eligible(peers, busy: ["f"]) == ["a", "e"])
        #expect(PeerChoice.eligible(peers, busy: []) == ["a", "e", "f"])
        #expect(PeerChoice.eligible(["x": peer("x", paused: true)], busy: []).isEmpty)
        #expect(PeerChoice.storePeers(peers) == ["a", "d", "e", "f"])
    }
}
