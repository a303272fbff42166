import Foundation
import Libp2p
import NodeEvents
import Synchronization
import Testing
import WakuCore
import WakuNode
import WakuSync
import WakuTestSupport

/// Hostile input, round two: what a peer in a session, or its Store, may make us store. Each test
/// drives a real node over loopback with a scripted peer and looks at the archive and the
/// rejection events.
@Suite("Hostile input: windows, fetches and topics", .timeLimit(.minutes(2)))
struct HostileNodeInputTests {
    static let second: Int64 = 1_000_000_000
    static let hour: Int64 = 3_600 * 1_000_000_000

    @Test(
        "a session window from 1970 to 2262 is cut to our sync range: pushes outside it are refused by reason, only what our range asked for is stored"
    )
    func windowPoisoning() async throws {
        let directory = try TemporaryDirectory(prefix: "wakusync-window")
        defer { directory.remove() }
        var configuration = Hostile.configuration("target", in: directory)
        configuration.shards = [0]
        let now = NodeCluster.now
        let inside = Hostile.message("inside", at: now - 600 * Self.second)
        let future = [
            Hostile.message("in an hour", at: now + Self.hour),
            Hostile.message("in 2262", at: Int64.max - 1_000 * Self.second),
        ]
        let past = [
            Hostile.message("five hours ago", at: now - 5 * Self.hour),
            Hostile.message("in 1970", at: Self.second),
        ]
        let foreign = Hostile.message("foreign", at: now - 600 * Self.second, pubsubTopic: "/waku/2/rs/0/9")
        let listed = [inside] + future + past
        try await Hostile.withNode(configuration) { node, log in
            try await Hostile.withHosts(1) { hosts in
                let rogue = hosts[0]
                let peer = try await Hostile.connect(rogue, to: node)
                // No topic lists, and a window as wide as a timestamp allows.
                let session = try await RoguePeer.reconcile(
                    rogue,
                    with: peer,
                    index: Hostile.index((listed + [foreign]).map { ($0, nil) }),
                    from: 1,
                    to: Int64.max - 1
                )
                // We hold nothing there, so we answered with empty item sets and asked for all of it.
                #expect(Set(session.hashesToSend) == Set(listed.map(Hostile.hash)))
                let stream = try await rogue.openStream(to: peer, protocolID: WakuNode.transferProtocol)
                for payload in listed + [foreign] { try await stream.writeMessage(payload.serialized()) }
                await stream.close()
                let counted = try await log.wait { EventLog.rejections(in: $0).values.reduce(0, +) >= 5 }
                #expect(counted)
                #expect(log.rejections(from: .sync) == [.futureTimestamp: 2, .outsideWindow: 2, .outsideScope: 1])
                let stored = try await NodeCluster.eventually {
                    try await node.storedHashes() == [Hostile.hash(inside)]
                }
                #expect(stored, "only the push inside our own sync range is stored")
            }
        }
    }

    @Test(
        "a peer that lists messages and does not push them is fetched from; its oversized, future, misnamed and unasked-for answers are refused by reason"
    )
    func fetchBypass() async throws {
        let directory = try TemporaryDirectory(prefix: "wakusync-fetch")
        defer { directory.remove() }
        var configuration = Hostile.configuration("target", in: directory)
        configuration.maxMessageSize = 4_096
        configuration.fetchGrace = .milliseconds(200)
        let now = NodeCluster.now
        let good = Hostile.message("good", at: now - 600 * Self.second)
        let big = Hostile.message("big", at: now - 590 * Self.second, padding: 8_000)
        let future = Hostile.message("future", at: now + Self.hour)
        let named = Hostile.message("named", at: now - 580 * Self.second)
        let impostor = Hostile.message("impostor", at: now - 570 * Self.second)
        let unasked = Hostile.message("unasked", at: now - 560 * Self.second)
        try await Hostile.withNode(configuration) { node, log in
            try await Hostile.withHosts(1) { hosts in
                let rogue = hosts[0]
                // The future message is listed under a timestamp inside our window: the session
                // only sees SyncIDs, the fetch sees the message.
                Hostile.answerSessions(
                    on: rogue,
                    from: [(good, nil), (big, nil), (future, now - 550 * Self.second), (named, nil)]
                )
                let queries = Counter()
                rogue.register(protocolID: WakuNode.storeProtocol) { stream in
                    queries.increment()
                    let request = try StoreQueryRequest(
                        serialized: try #require(try await stream.readMessage(timeout: .seconds(10)))
                    )
                    let answer = StoreQueryResponse(
                        requestID: request.requestID,
                        messages: [
                            Hostile.entry(good), Hostile.entry(big), Hostile.entry(future),
                            Hostile.entry(impostor, claimed: Hostile.hash(named)), Hostile.entry(unasked),
                        ]
                    )
                    try await stream.writeMessage(try answer.serialized())
                    await stream.close()
                }
                try await Hostile.connect(rogue, to: node)
                let end = try #require(await node.syncNow(with: rogue.peerID))
                #expect(end.outcome == .reconciled && end.weNeed == 4 && end.theyNeed == 0)
                // It never pushes; after the grace period the node fetches by Store.
                let counted = try await log.wait {
                    EventLog.rejections(in: $0, from: .fetch).values.reduce(0, +) >= 4
                }
                #expect(counted)
                #expect(
                    log.rejections(from: .fetch) == [
                        .oversized: 1, .futureTimestamp: 1, .hashMismatch: 1, .unrequested: 1,
                    ]
                )
                let stored = try await NodeCluster.eventually { try await node.storedHashes() == [Hostile.hash(good)] }
                #expect(stored)
                #expect(queries.value == 1, "refused answers are not fetched again")
            }
        }
    }

    @Test("a fetch that fails (protocol refused, then no answer) is retried after a pause until the peer answers")
    func fetchRetried() async throws {
        let directory = try TemporaryDirectory(prefix: "wakusync-retry")
        defer { directory.remove() }
        var configuration = Hostile.configuration("target", in: directory)
        configuration.fetchGrace = .milliseconds(100)
        let wanted = Hostile.message("wanted", at: NodeCluster.now - 600 * Self.second)
        try await Hostile.withNode(configuration) { node, log in
            try await Hostile.withHosts(1) { hosts in
                let rogue = hosts[0]
                Hostile.answerSessions(on: rogue, from: [(wanted, nil)])
                try await Hostile.connect(rogue, to: node)
                let end = try #require(await node.syncNow(with: rogue.peerID))
                #expect(end.weNeed == 1)
                // First attempt: the rogue does not speak Store at all.
                let failedOnce = try await log.wait { _ in log.notices.count { $0.message.contains("will retry") } >= 1
                }
                try #require(failedOnce)
                let queries = Counter()
                rogue.register(protocolID: WakuNode.storeProtocol) { stream in
                    let number = queries.increment()
                    let bytes = try #require(try await stream.readMessage(timeout: .seconds(10)))
                    // Second attempt: taken, never answered.
                    guard number > 1 else {
                        await stream.close()
                        return
                    }
                    let request = try StoreQueryRequest(serialized: bytes)
                    let answer = StoreQueryResponse(requestID: request.requestID, messages: [Hostile.entry(wanted)])
                    try await stream.writeMessage(try answer.serialized())
                    await stream.close()
                }
                let stored = try await NodeCluster.eventually(timeout: .seconds(60)) {
                    try await node.storedHashes() == [Hostile.hash(wanted)]
                }
                #expect(stored, "the third attempt brings the message")
                #expect(queries.value == 2)
                #expect(log.notices.count { $0.message.contains("will retry") } == 2)
            }
        }
    }

    @Test(
        "beyond the topic limits, messages on new topics are refused (topic_limit) from publish and from transfer; known topics still work"
    )
    func topicCap() async throws {
        let directory = try TemporaryDirectory(prefix: "wakusync-topics")
        defer { directory.remove() }
        var configuration = Hostile.configuration("target", in: directory)
        configuration.limits.pubsubTopics = 2
        configuration.limits.contentTopics = 3
        let now = NodeCluster.now
        func message(_ tag: String, _ pubsub: Int, _ content: Int, _ age: Int64) -> TransferPayload {
            Hostile.message(
                tag,
                at: now - age * Self.second,
                pubsubTopic: "/p/\(pubsub)",
                contentTopic: "/c/\(content)"
            )
        }
        let published = [
            message("a", 1, 1, 600), message("b", 2, 2, 590), message("c", 3, 1, 580), message("d", 1, 3, 570),
            message("e", 1, 4, 560),
        ]
        let known = message("f", 2, 3, 550)
        let pushed = [message("g", 1, 1, 540), message("h", 9, 1, 530), message("i", 1, 9, 520)]
        try await Hostile.withNode(configuration) { node, log in
            await node.publish(published)
            let refusedPublish = try await log.wait { EventLog.rejections(in: $0, from: .publish) == [.topicLimit: 2] }
            #expect(refusedPublish, "a third pubsub topic and a fourth content topic are refused")
            await node.publish([known])
            let kept = [published[0], published[1], published[3], known]
            #expect(Set(try await node.storedHashes()) == Set(kept.map(Hostile.hash)))

            try await Hostile.withHosts(1) { hosts in
                let rogue = hosts[0]
                let peer = try await Hostile.connect(rogue, to: node)
                let session = try await RoguePeer.reconcile(
                    rogue,
                    with: peer,
                    index: Hostile.index((kept + pushed).map { ($0, nil) }),
                    from: now - 3_620 * Self.second,
                    to: now - 20 * Self.second
                )
                #expect(Set(session.hashesToSend) == Set(pushed.map(Hostile.hash)))
                let stream = try await rogue.openStream(to: peer, protocolID: WakuNode.transferProtocol)
                for payload in pushed { try await stream.writeMessage(payload.serialized()) }
                await stream.close()
                let refusedPush = try await log.wait { EventLog.rejections(in: $0, from: .sync) == [.topicLimit: 2] }
                #expect(refusedPush, "new topics pushed in a session are refused too")
                let stored = try await NodeCluster.eventually {
                    Set(try await node.storedHashes()) == Set((kept + [pushed[0]]).map(Hostile.hash))
                }
                #expect(stored, "a push on known topics is stored")
            }
        }
    }
}

/// A count shared with a protocol handler.
final class Counter: Sendable {
    private let count = Mutex(0)

    /// Adds one and returns the new count.
    @discardableResult
    func increment() -> Int {
        self.count.withLock { count in
            count += 1
            return count
        }
    }

    var value: Int { self.count.withLock { $0 } }
}
