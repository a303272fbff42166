import Libp2p
import NodeEvents
import Testing
import WakuCore
import WakuNode
import WakuSync
import WakuTestSupport

@Suite("Hostile archive audit peers", .timeLimit(.minutes(2)))
struct HostileAuditTests {
    static let hour: Int64 = 3_600_000_000_000
    static let topic = "/waku/2/rs/0/0"

    /// A node with a day of time retention, scoped to one pubsub topic, and a rogue connected to it.
    static func withTarget(_ body: @Sendable (WakuNode, Libp2pHost) async throws -> Void) async throws {
        try await NodeCluster.with(
            1,
            configure: { _, configuration in
                configuration.retentionPolicy = "time:86400"
                configuration.pubsubTopics = [Self.topic]
            }
        ) { nodes in
            try await RoguePeer.with { rogue in
                let address = try Multiaddr(parsing: try #require(nodes[0].listenAddresses.first))
                _ = try await NodeCluster.connected(to: nodes[0], by: { try await rogue.dial(address) }) { _ in
                    rogue.peerID.description
                }
                try await body(nodes[0], rogue)
            }
        }
    }

    static func ask(_ stream: Libp2pStream, _ request: AuditRequest) async throws -> AuditResponse? {
        try await stream.writeMessage(request.encoded())
        guard let reply = try await stream.readMessage(maxSize: 8 << 20, timeout: .seconds(20)) else { return nil }
        return try AuditResponse(decoding: reply, limits: .standard)
    }

    static func message(_ text: String, at timestamp: Int64, topic: String = Self.topic) -> TransferPayload {
        TransferPayload(
            pubsubTopic: topic,
            message: WakuMessage(
                payload: Array(text.utf8),
                contentTopic: "/wakusync/1/test/proto",
                timestamp: timestamp
            )
        )
    }

    @Test("the span a peer asks for is cut to our retention and the future bound; oversized requests are refused")
    func spanAndSizes() async throws {
        try await Self.withTarget { target, rogue in
            let stream = try await rogue.openStream(
                to: try PeerID(parsing: target.peerID),
                protocolID: WakuNode.archiveAuditProtocol
            )
            let now = NodeCluster.now
            guard
                case .days(let from, let to, _)? = try await Self.ask(
                    stream,
                    .days(from: 0, to: .max, pubsubTopics: [])
                )
            else {
                Issue.record("no days answer")
                return
            }
            #expect(from >= now - 24 * Self.hour - 60_000_000_000 && from <= now)
            #expect(to <= now + 60_000_000_000)
            let parents = (0..<3_000).map { Int64($0) * Self.hour }
            let refused = try await Self.ask(stream, .children(level: .hour, parents: parents))
            guard case .error(let refusal)? = refused else {
                Issue.record("3 000 parents were not refused: \(String(describing: refused))")
                return
            }
            #expect(refusal.code == .overLimit)
            let after = try? await stream.readMessage(timeout: .seconds(10))
            #expect(after == nil, "the stream ends after a refusal")
        }
    }

    @Test("pushed messages are judged by the acceptance rule for the agreed span")
    func pushesAreJudged() async throws {
        try await Self.withTarget { target, rogue in
            let stream = try await rogue.openStream(
                to: try PeerID(parsing: target.peerID),
                protocolID: WakuNode.archiveAuditProtocol
            )
            let now = NodeCluster.now
            _ = try await Self.ask(stream, .days(from: now - 3 * Self.hour, to: now - Self.hour, pubsubTopics: []))
            let valid = Self.message("valid", at: now - 2 * Self.hour)
            let pushed = [
                valid,
                Self.message("future", at: now + Self.hour),
                Self.message("before the span", at: now - 5 * Self.hour),
                Self.message("after the span", at: now - Self.hour / 2),
                Self.message("outside our scope", at: now - 2 * Self.hour, topic: "/waku/2/rs/0/7"),
            ]
            let answer = try await Self.ask(stream, .push(pushed))
            #expect(answer == .push(stored: 1, refused: 4))
            let stored = try await target.storedHashes()
            #expect(stored == [valid.message.hash(pubsubTopic: valid.pubsubTopic)])
        }
    }

    @Test("a peer that keeps asking is cut off after the request limit")
    func endlessRequests() async throws {
        try await Self.withTarget { target, rogue in
            let stream = try await rogue.openStream(
                to: try PeerID(parsing: target.peerID),
                protocolID: WakuNode.archiveAuditProtocol
            )
            let now = NodeCluster.now
            _ = try await Self.ask(stream, .days(from: now - Self.hour, to: now, pubsubTopics: []))
            var answered = 1
            while answered < AuditLimits.standard.requests + 10 {
                guard
                    try await Self.ask(stream, .slices(minutes: [AuditLevel.minute.bucketStart(of: now - Self.hour)]))
                        != nil
                else { break }
                answered += 1
            }
            #expect(answered == AuditLimits.standard.requests)
        }
    }

    @Test("a lying audit peer cannot make us store anything the acceptance rule refuses or we did not ask for")
    func lyingResponder() async throws {
        try await Self.withTarget { target, rogue in
            let now = NodeCluster.now
            let minute = AuditLevel.minute.bucketStart(of: now - 3 * Self.hour)
            let asked = Self.message("asked", at: minute + 1_000)
            let otherTopic = Self.message("other topic", at: minute + 2_000, topic: "/waku/2/rs/0/7")
            let moved = Self.message("moved", at: minute + 3_000)
            let stranger = Self.message("never named", at: minute + 4_000)
            let movedLater = Self.message("moved", at: minute + 10 * AuditLevel.minute.nanoseconds)
            let digest = AuditDigest(high: 1, low: 2)
            let listed = [asked, otherTopic, moved].map { $0.message.hash(pubsubTopic: $0.pubsubTopic).w0 }.sorted()
            rogue.register(protocolID: WakuNode.archiveAuditProtocol) { stream in
                while let bytes = try await stream.readMessage(maxSize: 8 << 20, timeout: .seconds(20)) {
                    let answer: AuditResponse
                    switch try AuditRequest(decoding: bytes, limits: .standard) {
                    case .days(let from, let to, _):
                        answer = .days(
                            from: from,
                            to: to,
                            buckets: [
                                AuditSummary(start: AuditLevel.day.bucketStart(of: minute), count: 9, digest: digest)
                            ]
                        )
                    case .children(.hour, let parents):
                        answer = .children(
                            parents.map { _ in
                                [AuditSummary(start: AuditLevel.hour.bucketStart(of: minute), count: 9, digest: digest)]
                            }
                        )
                    case .children(_, let parents):
                        answer = .children(parents.map { _ in [AuditSummary(start: minute, count: 9, digest: digest)] })
                    case .slices(let minutes):
                        answer = .slices(minutes.map { _ in .listed(listed) })
                    case .fetch:
                        answer = .fetch(messages: [asked, otherTopic, movedLater, stranger], complete: true)
                    case .prefixes(let keys):
                        answer = .prefixes(keys.map { _ in [] })
                    case .push:
                        answer = .push(stored: 0, refused: 0)
                    }
                    try await stream.writeMessage(answer.encoded())
                }
                await stream.close()
            }
            let report = await target.audit(
                rogue.peerID,
                plan: AuditPlan(from: minute - Self.hour, to: minute + Self.hour, repair: true)
            )
            #expect(report.method == .buckets)
            #expect(report.missingHereCount == 3)
            #expect(report.outcome == .differences, "two messages were refused and one never came")
            #expect(
                report.repair?.stored == 1 && report.repair?.unavailable == 1,
                "\(String(describing: report.repair))"
            )
            let stored = try await target.storedHashes()
            #expect(stored == [asked.message.hash(pubsubTopic: asked.pubsubTopic)])
        }
    }
}
