import Foundation
import Testing
import WakuCore
import WakuSync
import WakuTestSupport

@Suite("wakusync inspect")
struct InspectCommandTests {
    static func run(_ arguments: [String], stdin: String = "") throws -> ChildProcess.Result {
        try ChildProcess.run(Executables.wakusync, arguments, stdin: Data(stdin.utf8), timeout: .seconds(60))
    }

    @Test("inspect hash prints the vector's hash, negative timestamps included")
    func hash() throws {
        let result = try Self.run([
            "inspect", "hash", "--pubsub-topic", "/waku/2/rs/0/0", "--content-topic", "/waku/2/default-content/proto",
            "--payload-hex", "010203045445535405060708", "--meta-hex", "73757065722d736563726574",
            "--timestamp", "1681964442000000000",
        ])
        #expect(result.status == 0)
        #expect(result.stdout == "b9b4852f9d8c489846e8bfc6c5ca6a1a8d460a40d28832a966e029eb39619199\n")
        let negative = try Self.run([
            "inspect", "hash", "--pubsub-topic", "/t", "--content-topic", "c", "--payload-hex", "", "--timestamp=-5",
        ])
        #expect(negative.status == 0)
        let expected = WakuMessage(payload: [], contentTopic: "c", timestamp: -5).hash(pubsubTopic: "/t").hex
        #expect(negative.stdout == expected + "\n")
        let bad = try Self.run([
            "inspect", "hash", "--pubsub-topic", "/t", "--content-topic", "c", "--payload-hex", "xyz",
        ])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--payload-hex"))
    }

    @Test("inspect payload decodes a vector to the documented JSON shape, and --encode goes back")
    func payloadRoundTrip() throws {
        let hex =
            "010e2f77616b752f322f72732f312f30008080a8b1e39fe7cb1780c0e285e36802028094938ee79fe7cb17cccab07fed94181c83937c8ca8340c9108492b7ede354a6d95421ad34141fd378094ebdc03b9b4852f9d8c489846e8bfc6c5ca6a1a8d460a40d28832a966e029eb3961919900"
        let decoded = try Self.run(["inspect", "payload", hex, "--json"])
        #expect(decoded.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(decoded.stdout.utf8)) as? [String: Any])
        #expect(json["pubsubTopics"] as? [String] == ["/waku/2/rs/1/0"])
        let ranges = try #require(json["ranges"] as? [[String: Any]])
        #expect(ranges.count == 1)
        #expect(ranges[0]["type"] as? String == "itemset")
        #expect(ranges[0]["reconciled"] as? Bool == false)
        #expect((ranges[0]["items"] as? [[String: Any]])?.count == 2)
        #expect(ranges[0]["fingerprint"] == nil)
        let upper = try #require(ranges[0]["upper"] as? [String: Any])
        #expect((upper["time"] as? NSNumber)?.int64Value == 1_700_003_600_000_000_000)
        #expect(upper["hash"] as? String == String(repeating: "0", count: 64))
        let encoded = try Self.run(["inspect", "payload", "--encode"], stdin: decoded.stdout)
        #expect(encoded.status == 0)
        #expect(encoded.stdout == hex + "\n")
        let text = try Self.run(["inspect", "payload", hex])
        #expect(text.stdout.contains("itemset 2 items"))
    }

    @Test("a payload that does not decode exits 1 and names the byte offset")
    func payloadError() throws {
        let result = try Self.run(["inspect", "payload", "0000808080"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("at byte 2"))
        let badJSON = try Self.run(["inspect", "payload", "--encode"], stdin: "{\"pubsubTopics\":[]}")
        #expect(badJSON.status != 0)
    }

    @Test("inspect session replays two item files and reports frames, differences, round trips and bytes")
    func session() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var generator = SeededGenerator(seed: 1)
        let start: Int64 = 1_700_000_000_000_000_000
        func line(_ id: SyncID) -> String {
            "{\"timestamp\":\(id.timestamp),\"hash\":\"\(id.hash.hex)\",\"pubsubTopic\":\"/waku/2/rs/1/0\",\"contentTopic\":\"/a/1/b/c\"}"
        }
        let shared = (0..<300).map { _ in
            SyncID(timestamp: start + Int64(generator.next() % 1_000_000_000), hash: generator.nextHash())
        }
        let onlyA = SyncID(timestamp: start + 5, hash: generator.nextHash())
        let onlyB = SyncID(timestamp: start + 7, hash: generator.nextHash())
        try ((shared + [onlyA]).map(line).joined(separator: "\n") + "\n").write(
            to: directory.file("a.jsonl"),
            atomically: true,
            encoding: .utf8
        )
        try (shared + [onlyB]).map(line).joined(separator: "\n").write(
            to: directory.file("b.jsonl"),
            atomically: true,
            encoding: .utf8
        )
        for strategy in ["balanced", "nwaku"] {
            let result = try Self.run([
                "inspect", "session", "--initiator", directory.file("a.jsonl").path, "--responder",
                directory.file("b.jsonl").path,
                "--from", "\(start)", "--to", "\(start + 1_000_000_000)", "--strategy", strategy, "--json",
            ])
            #expect(result.status == 0, "\(result.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let initiator = try #require(json["initiator"] as? [String: [String]])
            let responder = try #require(json["responder"] as? [String: [String]])
            #expect(Set(initiator["hashesToSend"] ?? []).union(responder["hashesToReceive"] ?? []) == [onlyA.hash.hex])
            #expect(Set(responder["hashesToSend"] ?? []).union(initiator["hashesToReceive"] ?? []) == [onlyB.hash.hex])
            let frames = try #require(json["frames"] as? [[String: String]])
            #expect(frames.first?["from"] == "initiator")
            #expect(frames.last?["hex"] == "00")
            let bytes = frames.reduce(0) { $0 + ($1["hex"]?.count ?? 0) / 2 }
            #expect((json["bytes"] as? Int) == bytes)
            #expect((json["roundTrips"] as? Int) == frames.filter { $0["from"] == "responder" }.count)
        }
        let text = try Self.run([
            "inspect", "session", "--initiator", directory.file("a.jsonl").path, "--responder",
            directory.file("b.jsonl").path,
            "--from", "\(start)", "--to", "\(start + 1_000_000_000)",
        ])
        #expect(text.stdout.contains("round trips"))
        try "{\"timestamp\":1}\nnot json\n".write(to: directory.file("bad.jsonl"), atomically: true, encoding: .utf8)
        let bad = try Self.run([
            "inspect", "session", "--initiator", directory.file("bad.jsonl").path, "--responder",
            directory.file("b.jsonl").path,
            "--from", "0", "--to", "1",
        ])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("bad.jsonl:1") && bad.stderr.contains("bad.jsonl:2"))
    }
}
