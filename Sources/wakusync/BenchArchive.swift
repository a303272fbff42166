internal import ArgumentParser
internal import WakuArchive
internal import WakuBench

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

    @Option(help: "Messages per insert batch, as the node's archive writer batches them at most.")
    var batchSize = 2000

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
        let benchmark = ArchiveBenchmark(
            messages: self.messages,
            batchSize: self.batchSize,
            maxConnections: self.archiveOptions.maxConnections
        )
        let location = try self.archiveOptions.url.map { try ArchiveLocation(url: $0) }
        let results = try await benchmark.run(at: location, comparingWithSQLite: self.compare)
        ArchiveConsole.output(
            self.json ? try JSONOutput.string(results.map(\.json)) : ArchiveBenchResult.table(results)
        )
    }
}
