import Foundation
import NodeEvents
import Observers
import Testing

@Suite("Headless event lines")
struct EventLinesTests {
    static let now: Int64 = 1_700_000_000_123_000_000

    static func ended(_ outcome: SessionEnd.Outcome) -> NodeEvent {
        .sessionEnded(
            SessionEnd(
                id: SessionID(7),
                peerID: "16Uiu2peer",
                role: .initiator,
                outcome: outcome,
                rounds: 3,
                bytesSent: 100,
                bytesReceived: 200,
                weNeed: 4,
                theyNeed: 5,
                duration: .milliseconds(42),
                strategy: "balanced",
                endedAt: Self.now
            )
        )
    }

    @Test("a session's end is one line with its figures; a failure is a warning with the reason")
    func sessionLines() throws {
        let reconciled = try #require(EventLines.text(Self.ended(.reconciled), at: Self.now))
        #expect(reconciled.hasPrefix("2023-11-14T22:13:20.123"))
        #expect(reconciled.contains(" info  session reconciled session=7 peer=16Uiu2peer role=initiator rounds=3"))
        #expect(reconciled.contains("we_need=4 they_need=5 duration_ms=42 strategy=balanced"))
        let failed = try #require(EventLines.text(Self.ended(.failed("timeout: no data")), at: Self.now))
        #expect(failed.contains(" warn  session failed "))
        #expect(failed.hasSuffix(#"error="timeout: no data""#))
        let json = try #require(EventLines.json(Self.ended(.failed("x")), at: Self.now))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["event"] as? String == "sessionEnded")
        #expect(object["level"] as? String == "warn")
        #expect(object["we_need"] as? Int == 4)
        #expect(object["error"] as? String == "x")
    }

    @Test("rejections, limits and stored batches name their source, reason and peer")
    func trafficLines() throws {
        let rejected = NodeEvent.rejected(
            RejectedMessages(source: .fetch, peerID: "p", reason: .hashMismatch, count: 3)
        )
        #expect(
            try #require(EventLines.text(rejected, at: Self.now)).hasSuffix(
                "messages rejected peer=p source=fetch reason=hash_mismatch count=3"
            )
        )
        let limit = NodeEvent.limitExceeded(LimitExceeded(limit: .store, peerID: nil, detail: "more than 4 streams"))
        #expect(
            try #require(EventLines.text(limit, at: Self.now)).hasSuffix(
                #"limit reached peer=- limit=store detail="more than 4 streams""#
            )
        )
        let stored = StoredBatch(
            source: .sync,
            peerID: "p",
            inserted: 0,
            duplicates: 2,
            byPubsubTopic: [:],
            byContentTopic: [:]
        )
        #expect(EventLines.text(.stored(stored), at: Self.now) == nil, "a batch of duplicates only is not a line")
        #expect(EventLines.text(.sessionRound(MonitorlessFixtures.round), at: Self.now) == nil)
    }

    @Test("relay's per-message events and its status every second are not lines, in text or JSON")
    func relayNotLogged() {
        let relayed = NodeEvent.relayed(
            RelayedMessage(peerID: "p", pubsubTopic: "/waku/2/rs/1/0", bytes: 10, forwardedTo: 1, ephemeral: false)
        )
        let status = NodeEvent.relayStatus(RelayStatus(topics: [], total: RelayStatus.Counts(), peers: 0))
        for event in [relayed, status] {
            #expect(EventLines.text(event, at: Self.now) == nil)
            #expect(EventLines.json(event, at: Self.now) == nil)
        }
    }

    @Test("peer-supplied text cannot break a line, move the cursor or forge fields")
    func sanitising() throws {
        var peer = PeerSnapshot(peerID: "p", state: .connected)
        peer.lastError = "bad\u{1b}[31m red\nforged=line\r\u{7f}"
        let line = try #require(EventLines.text(.peerUpdated(peer), at: Self.now))
        #expect(!line.unicodeScalars.contains { $0.properties.generalCategory == .control })
        #expect(line.hasSuffix(#"error="bad\u{1b}[31m red\u{a}forged=line\u{d}\u{7f}""#))
        #expect(EventLines.value("plain") == "plain")
        #expect(EventLines.value(12) == "12")
        #expect(EventLines.value(#"a"b"#) == #""a\"b""#)
        #expect(EventLines.escaped(#"back\slash"#) == #"back\\slash"#)
        #expect(EventLines.escaped("zero\u{200b}width") == "zero\\u{200b}width")
    }

    @Test("the dropped-lines notice has a text and a JSON form")
    func dropped() throws {
        #expect(EventLines.dropped(5, json: false, at: Self.now).hasSuffix("count=5"))
        let json = EventLines.dropped(5, json: true, at: Self.now)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["event"] as? String == "linesDropped" && object["count"] as? Int == 5)
    }
}

/// A round event, which no line shows.
enum MonitorlessFixtures {
    static let round = SessionRound(
        id: SessionID(1),
        peerID: "p",
        number: 1,
        bytesReceived: 1,
        bytesSent: 1,
        received: RangeTally(),
        sent: RangeTally(),
        receivedRanges: [],
        sentRanges: [],
        itemsCompared: 0,
        newTheyNeed: 0,
        newWeNeed: 0
    )
}
