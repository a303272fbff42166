import Foundation
import Testing
import WakuArchive
import WakuCore

@Suite("JSON-lines import and export")
struct ImportTests {
    /// The nwaku test vector message (PROTOCOLS.md §1.3) on `/waku/2/rs/0/0` with 12-byte meta.
    static let vectorLine = """
        {"pubsubTopic":"/waku/2/rs/0/0","message":{"payload":"AQIDBFRFU1QFBgcI","contentTopic":"/waku/2/default-content/proto","version":0,"timestamp":1681964442000000000,"meta":"c3VwZXItc2VjcmV0"},"hash":"b9b4852f9d8c489846e8bfc6c5ca6a1a8d460a40d28832a966e029eb39619199"}
        """

    @Test("a line with every field decodes, and its given hash is checked against nwaku's vector")
    func vector() throws {
        let archived = try ArchiveJSONLine.decode(Self.vectorLine)
        #expect(archived.hash.hex == "b9b4852f9d8c489846e8bfc6c5ca6a1a8d460a40d28832a966e029eb39619199")
        #expect(archived.message.payload == [1, 2, 3, 4, 0x54, 0x45, 0x53, 0x54, 5, 6, 7, 8])
        #expect(archived.message.meta == Array("super-secret".utf8))
        #expect(archived.source == .import)
    }

    @Test("meta, version, ephemeral and hash may be left out")
    func optionalFields() throws {
        let line = #"{"pubsubTopic":"/waku/2/rs/0/0","message":{"payload":"","contentTopic":"/a/1/b/c","timestamp":5}}"#
        let archived = try ArchiveJSONLine.decode(line)
        #expect(archived.message == WakuMessage(payload: [], contentTopic: "/a/1/b/c", timestamp: 5))
        let ephemeral = try ArchiveJSONLine.decode(
            #"{"pubsubTopic":"p","message":{"payload":"AA==","contentTopic":"c","timestamp":-1,"ephemeral":true,"version":7}}"#
        )
        #expect(ephemeral.message.ephemeral && ephemeral.message.version == 7 && ephemeral.message.timestamp == -1)
    }

    @Test(
        "bad lines are rejected with a short reason naming the problem",
        arguments: [
            ("not json", "not JSON"),
            ("[1,2]", "not a JSON object"),
            (#"{"pubsubTopic":"p","message":7}"#, "message is not an object"),
            (#"{"pubsubTopic":"p"}"#, "missing message"),
            (
                #"{"pubsubTopic":1,"message":{"payload":"","contentTopic":"c","timestamp":1}}"#,
                "pubsubTopic is not a string"
            ),
            (
                #"{"pubsubTopic":"p","message":{"payload":"","contentTopic":"c","timestamp":true}}"#,
                "message.timestamp is not"
            ),
            (
                #"{"pubsubTopic":"p","message":{"payload":"","contentTopic":"c","timestamp":1,"ephemeral":1}}"#,
                "message.ephemeral is not true or false"
            ),
            (#"{"message":{"payload":"","contentTopic":"c","timestamp":1}}"#, "missing pubsubTopic"),
            (#"{"pubsubTopic":"p","message":{"contentTopic":"c","timestamp":1}}"#, "missing message.payload"),
            (#"{"pubsubTopic":"p","message":{"payload":"","contentTopic":"c"}}"#, "missing message.timestamp"),
            (#"{"pubsubTopic":"p","message":{"payload":"","contentTopic":"c","timestamp":"1"}}"#, "message.timestamp"),
            (
                #"{"pubsubTopic":"p","message":{"payload":"","contentTopic":"c","timestamp":1.5}}"#,
                "message.timestamp is not an integer"
            ),
            (
                #"{"pubsubTopic":"p","message":{"payload":"","contentTopic":"c","timestamp":1,"version":-1}}"#,
                "message.version is not an integer from 0"
            ),
            (
                #"{"pubsubTopic":"p","message":{"payload":"%%","contentTopic":"c","timestamp":1}}"#,
                "message.payload is not standard base64"
            ),
            (
                #"{"pubsubTopic":"p","message":{"payload":"","contentTopic":"c","timestamp":1,"meta":"\#(String(repeating: "A", count: 88))"}}"#,
                "nwaku allows at most 64"
            ),
            (
                #"{"pubsubTopic":"p","message":{"payload":"","contentTopic":"c","timestamp":1},"hash":"abcd"}"#,
                "hash is not 64 hex digits"
            ),
            (
                #"{"pubsubTopic":"p","message":{"payload":"","contentTopic":"c","timestamp":1},"hash":"\#(String(repeating: "0", count: 64))"}"#,
                "does not match the message"
            ),
        ] as [(String, String)]
    )
    func badLines(line: String, reason: String) {
        #expect {
            try ArchiveJSONLine.decode(line)
        } throws: { error in
            guard let error = error as? ArchiveError else { return false }
            return error.code == .invalidLine && error.detail.contains(reason)
        }
    }

    @Test("export lines decode back to the same message and hash, odd topic characters included")
    func roundTrip() throws {
        for index in 0..<50 {
            var archived = Fixtures.message(index, source: .import)
            if index % 10 == 0 {
                archived = ArchivedMessage(
                    pubsubTopic: "quote\" back\\slash\n tab\t \u{1} é 🙂",
                    message: archived.message,
                    source: .import
                )
            }
            let line = ArchiveJSONLine.encode(StoredMessage(archived: archived, storedAt: 0))
            #expect(!line.contains("\n"))
            #expect(try ArchiveJSONLine.decode(line) == archived)
        }
    }

    @Test("the importer commits full batches, reports bad lines and counts everything", arguments: Backend.allCases)
    func importer(backend: Backend) async throws {
        try await TestArchive.with(backend) { fixture in
            var importer = ArchiveImporter(archive: fixture.archive, batchSize: 3)
            var lines = (0..<8).map {
                ArchiveJSONLine.encode(StoredMessage(archived: Fixtures.message($0), storedAt: 0))
            }
            lines.insert("{broken", at: 2)
            lines.insert("   ", at: 5)
            lines.append(lines[0])
            var committed: [ImportBatch] = []
            var rejected: [Int] = []
            for (offset, line) in lines.enumerated() {
                switch try await importer.add(line: line, number: offset + 1) {
                case .buffered: break
                case .rejected: rejected.append(offset + 1)
                case .committed(let batch): committed.append(batch)
                }
            }
            if let last = try await importer.finish() { committed.append(last) }
            #expect(rejected == [3])
            #expect(committed.map(\.firstLine) == [1, 5, 9])
            #expect(committed.map(\.lastLine) == [4, 8, 11])
            #expect(committed.map(\.messages) == [3, 3, 3])
            #expect(importer.summary.outcome == InsertOutcome(inserted: 8, duplicates: 1))
            #expect(importer.summary.failed == 1)
            #expect(importer.summary.batches == 3)
            #expect(try await fixture.archive.stats().count == 8)
        }
    }

    @Test(
        "the importer applies the acceptance rule: size, the future, retention; the reason names the limit",
        arguments: Backend.allCases
    )
    func acceptanceRule(backend: Backend) async throws {
        try await TestArchive.with(backend) { fixture in try await Self.acceptanceRule(fixture) }
    }

    private static func acceptanceRule(_ fixture: TestArchive) async throws {
        let now = Archive.systemTime()
        var importer = ArchiveImporter(
            archive: fixture.archive,
            batchSize: 10,
            acceptance: MessageAcceptance(maxMessageSize: 2_000),
            oldest: now - 3_600_000_000_000,
            now: now
        )
        func line(timestamp: Int64, payload: Int) -> String {
            let message = WakuMessage(
                payload: Array(repeating: 1, count: payload),
                contentTopic: "/a/1/b/c",
                timestamp: timestamp
            )
            return ArchiveJSONLine.encode(
                StoredMessage(
                    archived: ArchivedMessage(pubsubTopic: "/waku/2/rs/0/0", message: message, source: .import),
                    storedAt: 0
                )
            )
        }
        let lines = [
            line(timestamp: now - 1_000, payload: 100),
            line(timestamp: now - 1_000, payload: 3_000),
            line(timestamp: now + 21_000_000_000, payload: 100),
            line(timestamp: now + 19_000_000_000, payload: 100),
            line(timestamp: now - 7_200_000_000_000, payload: 100),
        ]
        var reasons: [String] = []
        for (offset, text) in lines.enumerated() {
            if case .rejected(let reason) = try await importer.add(line: text, number: offset + 1) {
                reasons.append(reason)
            }
        }
        _ = try await importer.finish()
        #expect(reasons.count == 3)
        #expect(reasons[0].contains("exceeds the limit of 2000"))
        #expect(reasons[1].contains("ahead of this machine's clock"))
        #expect(reasons[2].contains("older than the retention period"))
        #expect(importer.summary.outcome.inserted == 2)
    }
}
