import Foundation
import Testing
import WakuArchive
import WakuArchivePostgres
import WakuCore
import WakuTestSupport

/// Where a command's archive is: a data directory's SQLite file, or a PostgreSQL database given
/// with `--store-message-db-url`.
struct CommandArchive: Sendable {
    let arguments: [String]
    let database: PostgresTestDatabase?

    /// A new, empty archive of `backend`, in `directory` for SQLite.
    static func make(_ backend: Backend, in directory: URL) async throws -> CommandArchive {
        switch backend {
        case .sqlite: return CommandArchive(arguments: ["--data-dir", directory.path], database: nil)
        case .postgres:
            let database = try await PostgresTestDatabase.create()
            return CommandArchive(arguments: ["--store-message-db-url", database.url], database: database)
        }
    }

    func remove() async { await self.database?.drop() }
}

/// The archive backends the command tests run against.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { self.rawValue }
}

@Suite("wakusync archive import / export / stats")
struct ArchiveCommandTests {
    static let topics = ["/waku/2/rs/1/0", "/waku/2/rs/1/3"]
    static let contentTopics = ["/app/1/chat/proto", "/app/1/news/proto", "/app/1/misc/proto"]

    /// Message `index` of the test input: ties on timestamps, optional fields sometimes absent.
    static func message(_ index: Int) -> (pubsubTopic: String, message: WakuMessage) {
        let message = WakuMessage(
            payload: (0..<(index % 13) * 5).map { UInt8(truncatingIfNeeded: $0 &* index) },
            contentTopic: Self.contentTopics[index % 3],
            version: UInt32(index % 2),
            timestamp: 1_700_000_000_000_000_000 + Int64(index / 2) * 1_000_000,
            meta: index % 4 == 0 ? [] : [UInt8(index % 256), 1, 2]
        )
        return (Self.topics[index % 2], message)
    }

    /// The canonical export line for a message, written independently of the archive's encoder.
    static func exportLine(_ pubsubTopic: String, _ message: WakuMessage) -> String {
        "{\"pubsubTopic\":\"\(pubsubTopic)\",\"message\":{\"payload\":\"\(Data(message.payload).base64EncodedString())\","
            + "\"contentTopic\":\"\(message.contentTopic)\",\"version\":\(message.version),"
            + "\"timestamp\":\(message.timestamp),\"meta\":\"\(Data(message.meta).base64EncodedString())\"},"
            + "\"hash\":\"\(message.hash(pubsubTopic: pubsubTopic).hex)\"}"
    }

    /// An input line; every third line leaves out version, meta and the hash.
    static func inputLine(_ index: Int) -> String {
        let (topic, message) = Self.message(index)
        guard index % 3 == 0 else { return Self.exportLine(topic, message) }
        return
            "{\"pubsubTopic\":\"\(topic)\",\"message\":{\"payload\":\"\(Data(message.payload).base64EncodedString())\","
            + "\"contentTopic\":\"\(message.contentTopic)\",\"timestamp\":\(message.timestamp)"
            + (message.meta.isEmpty ? "" : ",\"meta\":\"\(Data(message.meta).base64EncodedString())\"")
            + (message.version == 0 ? "" : ",\"version\":\(message.version)") + "}}"
    }

    static func run(_ arguments: [String], stdin: Data = Data()) throws -> ChildProcess.Result {
        try ChildProcess.run(Executables.wakusync, arguments, stdin: stdin, timeout: .seconds(60))
    }

    /// Export lines of `indices`, in (timestamp, hash) order.
    static func expectedExport(_ indices: some Sequence<Int>) -> String {
        indices.map { Self.message($0) }
            .sorted {
                ($0.message.timestamp, $0.message.hash(pubsubTopic: $0.pubsubTopic)) < (
                    $1.message.timestamp, $1.message.hash(pubsubTopic: $1.pubsubTopic)
                )
            }
            .map { Self.exportLine($0.pubsubTopic, $0.message) + "\n" }
            .joined()
    }

    @Test(
        "import reports bad lines by number, imports the good ones, and export writes them back in order",
        arguments: Backend.allCases
    )
    func roundTrip(backend: Backend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let node = try await CommandArchive.make(backend, in: directory.file("node"))
        let copy = try await CommandArchive.make(backend, in: directory.file("copy"))
        defer {
            Task { [node, copy] in
                await node.remove()
                await copy.remove()
            }
        }
        var lines = (0..<120).map { Data(Self.inputLine($0).utf8) }
        var ephemeral = Self.message(200)
        ephemeral.message.ephemeral = true
        lines[10] = Data("{not json".utf8)
        let hash20 = Self.message(20).message.hash(pubsubTopic: Self.message(20).pubsubTopic).hex
        let hash21 = Self.message(21).message.hash(pubsubTopic: Self.message(21).pubsubTopic).hex
        lines[20] = Data(Self.inputLine(20).replacingOccurrences(of: hash20, with: hash21).utf8)
        lines[30] = Data("{\"pubsubTopic\":\"/t\",\"message\":{\"payload\":\"\",\"contentTopic\":\"c\"}}".utf8)
        lines[40] = Data([0x7b, 0xff, 0xfe, 0x7d])
        lines[50] = Data("   ".utf8)
        lines[60] = Data(
            ("{\"pubsubTopic\":\"/t\",\"message\":{\"payload\":\"\",\"contentTopic\":\"c\",\"timestamp\":1,"
                + "\"ephemeral\":true}}").utf8
        )
        let file = directory.file("in.jsonl")
        try lines.reduce(Data()) { $0 + $1 + Data("\r\n".utf8) }.write(to: file)
        let imported = try Self.run(["archive", "import", file.path] + node.arguments)
        #expect(imported.status == 1)
        let errors = imported.stderr.split(separator: "\n").map(String.init)
        #expect(errors.count == 4)
        #expect(errors.map { $0.prefix(while: { $0 != ":" }) } == ["line 11", "line 21", "line 31", "line 41"])
        #expect(errors[0] == "line 11: not JSON")
        #expect(errors[1].hasPrefix("line 21: hash \(hash21) does not match the message"))
        #expect(errors[2] == "line 31: missing message.timestamp")
        #expect(errors[3] == "line 41: not valid UTF-8")
        #expect(imported.stdout == "imported 114, duplicates 0, ephemeral skipped 1, failed 4\n")

        let good = (0..<120).filter { ![10, 20, 30, 40, 50, 60].contains($0) }
        let exported = try Self.run(["archive", "export"] + node.arguments)
        #expect(exported.status == 0)
        #expect(exported.stdout == Self.expectedExport(good))

        // The export is valid input: a fresh archive fed from standard input exports the same.
        let reimported = try Self.run(
            ["archive", "import", "-"] + copy.arguments,
            stdin: Data(exported.stdout.utf8)
        )
        #expect(reimported.status == 0)
        #expect(reimported.stdout == "imported 114, duplicates 0, ephemeral skipped 0, failed 0\n")
        #expect(try Self.run(["archive", "export"] + copy.arguments).stdout == exported.stdout)
        // Importing the same file again only finds duplicates.
        let again = try Self.run(["archive", "import", file.path] + node.arguments)
        #expect(again.stdout == "imported 0, duplicates 114, ephemeral skipped 1, failed 4\n")
    }

    @Test(
        "export filters by time (both ends inclusive), pubsub topic and content topics; stats counts",
        arguments: Backend.allCases
    )
    func filtersAndStats(backend: Backend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let node = try await CommandArchive.make(backend, in: directory.file("node"))
        defer { Task { [node] in await node.remove() } }
        let input = (0..<90).map { Self.inputLine($0) + "\n" }.joined()
        #expect(try Self.run(["archive", "import", "-"] + node.arguments, stdin: Data(input.utf8)).status == 0)
        let from = Self.message(20).message.timestamp
        let to = Self.message(61).message.timestamp
        let filtered = try Self.run(
            [
                "archive", "export", "--from", "\(from)", "--to", "\(to)",
                "--pubsub-topic", Self.topics[1], "--content-topic", Self.contentTopics[0], "--content-topic",
                Self.contentTopics[2],
            ] + node.arguments
        )
        let expected = (0..<90).filter { index in
            let (topic, message) = Self.message(index)
            return message.timestamp >= from && message.timestamp <= to && topic == Self.topics[1]
                && message.contentTopic != Self.contentTopics[1]
        }
        #expect(expected.count == 14)
        #expect(filtered.stdout == Self.expectedExport(expected))

        let stats = try Self.run(["archive", "stats", "--json"] + node.arguments)
        #expect(stats.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])
        #expect(object["count"] as? Int == 90)
        #expect(object["oldestTimestamp"] as? Int64 == Self.message(0).message.timestamp)
        #expect(object["newestTimestamp"] as? Int64 == Self.message(89).message.timestamp)
        #expect(object["pubsubTopics"] as? [String: Int] == [Self.topics[0]: 45, Self.topics[1]: 45])
        #expect(
            object["contentTopics"] as? [String: Int]
                == Dictionary(uniqueKeysWithValues: Self.contentTopics.map { ($0, 30) })
        )
        let payloadBytes = (0..<90).reduce(0) { $0 + Self.message($1).message.payload.count }
        #expect(object["payloadBytes"] as? Int == payloadBytes)
        let text = try Self.run(["archive", "stats"] + node.arguments)
        #expect(text.stdout.contains("messages       90"))
        if let database = node.database {
            // The location is printed without the password.
            #expect(text.stdout.contains("archive        \(database.location.description)"))
        }

        let empty = try await CommandArchive.make(backend, in: directory.file("nothing"))
        defer { Task { [empty] in await empty.remove() } }
        let missing = try Self.run(["archive", "stats"] + empty.arguments)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("no archive at"))
    }

    @Test("export and stats open the SQLite file read-only: its bytes and modification time do not change")
    func readOnlyCommands() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let dataDir = directory.file("node").path
        let input = (0..<40).map { Self.inputLine($0) + "\n" }.joined()
        #expect(try Self.run(["archive", "import", "-", "--data-dir", dataDir], stdin: Data(input.utf8)).status == 0)
        let path = dataDir + "/archive.sqlite3"
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let modified = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
        Thread.sleep(forTimeInterval: 0.02)
        #expect(try Self.run(["archive", "export", "--data-dir", dataDir]).status == 0)
        #expect(try Self.run(["archive", "stats", "--data-dir", dataDir]).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date == modified)
    }

    @Test("an unusable --store-message-db-url is refused before anything runs, without the password")
    func badURL() throws {
        let result = try Self.run([
            "archive", "stats", "--store-message-db-url", "postgres://me:topsecret@host:notaport/db",
        ])
        #expect(result.status != 0)
        #expect(result.stderr.contains("port after the host is not a number"))
        #expect(!result.stderr.contains("topsecret") && !result.stdout.contains("topsecret"))
    }
}
