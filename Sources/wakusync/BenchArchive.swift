internal import ArgumentParser
internal import Foundation
internal import WakuArchive
internal import WakuArchivePostgres
internal import WakuCore

/// `wakusync bench archive`: the archive's performance targets (issue #3), measured on a fresh
/// archive: a SQLite file in a temporary directory, or a new database on the PostgreSQL server
/// `--store-message-db-url` names; both are deleted afterwards.
struct BenchArchive: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Measure archive ingest, Store query pages, hash lookups and the sync-index fill.",
        discussion: """
            Stores N messages (default 1M) of 1 KiB payload spread over one hour, 8 pubsub
            topics and 10 content topics, in batches, into a new archive, then times queries
            against it. Latencies are medians (and p95) of repeated runs at random positions;
            the database is warm, as on a running node. With a postgres:// URL the run uses a
            new database (wakusync_bench_…) on that server, so the role needs CREATE DATABASE;
            --compare runs SQLite and then PostgreSQL on the same messages.
            """
    )

    @Option(help: "Messages to store.")
    var messages = 1_000_000

    @Option(help: "Messages per insert batch (one transaction each).")
    var batchSize = 1000

    @OptionGroup var archiveOptions: ArchiveOptions

    @Flag(help: "Run SQLite and the PostgreSQL server of --store-message-db-url side by side.")
    var compare = false

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        guard self.messages >= 1000 else { throw ValidationError("--messages must be at least 1000") }
        guard self.batchSize > 0 else { throw ValidationError("--batch-size must be at least 1") }
        if self.compare {
            guard let url = self.archiveOptions.url, case .postgres = try? ArchiveLocation(url: url) else {
                throw ValidationError("--compare needs a postgres:// --store-message-db-url")
            }
        }
    }

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("wakusync-bench-archive-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let given = try self.archiveOptions.location(dataDirectory: directory)
        var locations = [given]
        if self.compare {
            locations.insert(.sqlite(path: directory.appendingPathComponent("archive.sqlite3").path), at: 0)
        }
        var results: [ArchiveBenchResult] = []
        for location in locations {
            var scenarios = try await self.measure(location, in: directory)
            let backend = if case .postgres = location { "postgres" } else { "sqlite" }
            for index in scenarios.indices { scenarios[index].backend = backend }
            results += scenarios
        }
        if self.json {
            let data = try JSONSerialization.data(withJSONObject: results.map(\.json), options: [.sortedKeys])
            ArchiveConsole.output(String(decoding: data, as: UTF8.self))
        } else {
            ArchiveConsole.output(ArchiveBenchResult.table(results))
        }
    }

    /// Every scenario on a fresh archive at `location` (a new database on a PostgreSQL server).
    private func measure(_ location: ArchiveLocation, in directory: URL) async throws -> [ArchiveBenchResult] {
        switch location {
        case .sqlite(let path):
            try? FileManager.default.removeItem(atPath: path)
            let archive = try WakuArchive.Archive(path: path)
            let results = try await self.measure(archive)
            try archive.close()
            return results
        case .postgres(let server):
            var fresh = server
            fresh.database = "wakusync_bench_\(UUID().uuidString.lowercased().filter { $0 != "-" })"
            try await PostgresAdmin.createDatabase(fresh.database, on: server)
            do {
                let archive = try await PostgresArchive.open(fresh, maxConnections: self.archiveOptions.maxConnections)
                let results = try await self.measure(archive)
                try await archive.close()
                try await PostgresAdmin.dropDatabase(fresh.database, on: server)
                return results
            } catch {
                try? await PostgresAdmin.dropDatabase(fresh.database, on: server)
                throw error
            }
        }
    }

    private func measure(_ archive: any MessageArchive) async throws -> [ArchiveBenchResult] {
        var corpus = ArchiveBenchCorpus(count: self.messages)
        // Ingest: only the insert calls are timed, not generating and hashing the messages.
        var insertTime = Duration.zero
        var first = 0
        while first < self.messages {
            let batch = corpus.batch(first..<min(first + self.batchSize, self.messages))
            let started = ContinuousClock.now
            _ = try await archive.insert(batch)
            insertTime += ContinuousClock.now - started
            first += self.batchSize
        }
        let seconds = ArchiveBenchResult.seconds(insertTime)
        let ingest = ArchiveBenchResult(
            name: "ingest",
            detail: "\(self.messages) messages of 1 KiB in batches of \(self.batchSize)",
            value: Double(self.messages) / seconds,
            unit: "messages/s",
            target: 20_000,
            higherIsBetter: true,
            extra: ["seconds": seconds, "MiB/s": Double(self.messages) * 1024 / seconds / 1_048_576]
        )
        return [ingest] + (try await ArchiveBenchQueries(archive: archive, corpus: corpus).run())
    }
}

/// The generated messages: deterministic (seeded), so runs compare.
struct ArchiveBenchCorpus {
    static let base: Int64 = 1_700_000_000_000_000_000
    static let window: Int64 = 3_600_000_000_000
    static let pubsubTopics = (0..<8).map { "/waku/2/rs/1/\($0)" }
    static let contentTopics = (0..<10).map { "/bench/1/topic-\($0)/proto" }

    let count: Int
    private(set) var hashes: [MessageHash] = []
    private var random = SeededRandom(seed: 0x5741_4b55)

    init(count: Int) {
        self.count = count
        self.hashes.reserveCapacity(count)
    }

    /// Message `index`'s timestamp: spread evenly over one hour at millisecond resolution.
    func timestamp(_ index: Int) -> Int64 {
        Self.base + (Self.window / Int64(self.count)) * Int64(index) / 1_000_000 * 1_000_000
    }

    static func pubsubTopic(_ index: Int) -> String { Self.pubsubTopics[index % 8] }
    static func contentTopic(_ index: Int) -> String { Self.contentTopics[index % 10] }

    mutating func batch(_ indices: Range<Int>) -> [ArchivedMessage] {
        indices.map { index in
            var payload = [UInt8](repeating: 0, count: 1024)
            payload.withUnsafeMutableBytes { bytes in
                for offset in stride(from: 0, to: bytes.count, by: 8) {
                    bytes.storeBytes(of: self.random.next(), toByteOffset: offset, as: UInt64.self)
                }
            }
            let message = WakuMessage(
                payload: payload,
                contentTopic: Self.contentTopic(index),
                timestamp: self.timestamp(index)
            )
            let archived = ArchivedMessage(pubsubTopic: Self.pubsubTopic(index), message: message, source: .sync)
            self.hashes.append(archived.hash)
            return archived
        }
    }
}

/// One measured figure and its target.
struct ArchiveBenchResult {
    /// `sqlite` or `postgres`.
    var backend = ""
    var name: String
    var detail: String
    var value: Double
    var unit: String
    var target: Double
    var higherIsBetter: Bool
    var extra: [String: Double] = [:]

    var meetsTarget: Bool { self.higherIsBetter ? self.value >= self.target : self.value <= self.target }

    var json: [String: Any] {
        [
            "backend": self.backend, "name": self.name, "detail": self.detail, "value": self.value, "unit": self.unit,
            "target": self.target, "meetsTarget": self.meetsTarget, "extra": self.extra,
        ]
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    static func milliseconds(_ duration: Duration) -> Double { Self.seconds(duration) * 1000 }

    static func table(_ results: [ArchiveBenchResult]) -> String {
        var lines = [
            "backend   " + "scenario".padding(toLength: 33, withPad: " ", startingAt: 0)
                + "measured              target        ok   what"
        ]
        for result in results {
            let comparison = result.higherIsBetter ? ">=" : "<="
            let measured = String(format: "%.3f %@", result.value, result.unit)
            let target = String(format: "%@ %g", comparison, result.target)
            let extra = result.extra.sorted { $0.key < $1.key }.map { String(format: "%@ %.3f", $0.key, $0.value) }
            lines.append(
                result.backend.padding(toLength: 10, withPad: " ", startingAt: 0)
                    + result.name.padding(toLength: 33, withPad: " ", startingAt: 0)
                    + measured.padding(toLength: 22, withPad: " ", startingAt: 0)
                    + target.padding(toLength: 14, withPad: " ", startingAt: 0)
                    + (result.meetsTarget ? "yes  " : "NO   ") + result.detail
                    + (extra.isEmpty ? "" : " (" + extra.joined(separator: ", ") + ")")
            )
        }
        return lines.joined(separator: "\n")
    }
}
