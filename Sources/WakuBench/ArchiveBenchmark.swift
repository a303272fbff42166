internal import Foundation
package import WakuArchive
internal import WakuArchivePostgres

/// The archive's performance targets (issue #3, `wakusync bench archive`), measured on a fresh
/// archive: a SQLite file in a scratch directory, or a new database on a PostgreSQL server; both
/// are deleted afterwards.
package struct ArchiveBenchmark {
    /// Messages stored before the queries run.
    package var messages: Int
    /// Messages per insert batch (one transaction each).
    package var batchSize: Int
    /// The PostgreSQL connection pool size.
    package var maxConnections: Int

    /// A run storing `messages` in batches of `batchSize`.
    package init(messages: Int, batchSize: Int, maxConnections: Int) {
        self.messages = messages
        self.batchSize = batchSize
        self.maxConnections = maxConnections
    }

    /// Every scenario on a fresh archive at `location` (nil: a SQLite file in the scratch
    /// directory), after the same on a SQLite file first when `comparingWithSQLite`.
    package func run(at location: ArchiveLocation?, comparingWithSQLite: Bool) async throws -> [ArchiveBenchResult] {
        try await ScratchDirectory.with(prefix: "wakusync-bench-archive") { directory in
            let sqlite = ArchiveLocation.sqlite(path: directory.appendingPathComponent("archive.sqlite3").path)
            let locations = (comparingWithSQLite ? [sqlite] : []) + [location ?? sqlite]
            var results: [ArchiveBenchResult] = []
            for location in locations {
                var scenarios = try await self.measure(location)
                let backend = if case .postgres = location { "postgres" } else { "sqlite" }
                for index in scenarios.indices { scenarios[index].backend = backend }
                results += scenarios
            }
            return results
        }
    }

    /// Every scenario on a fresh archive at `location` (a new database on a PostgreSQL server).
    private func measure(_ location: ArchiveLocation) async throws -> [ArchiveBenchResult] {
        switch location {
        case .sqlite(let path):
            try? FileManager.default.removeItem(atPath: path)
            let archive = try WakuArchive.Archive(path: path)
            let results = try await self.measure(archive)
            try archive.close()
            // Removed at once: the kernel would otherwise write the file's gigabyte of dirty
            // pages back while the next backend (`--compare`) is measured, and charge it their CPU.
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            return results
        case .postgres(let server):
            var fresh = server
            fresh.database = "wakusync_bench_\(UUID().uuidString.lowercased().filter { $0 != "-" })"
            try await PostgresAdmin.createDatabase(fresh.database, on: server)
            do {
                let archive = try await PostgresArchive.open(fresh, maxConnections: self.maxConnections)
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
        let seconds = insertTime.seconds
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
