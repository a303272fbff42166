internal import ArgumentParser
internal import WakuBench

/// `wakusync bench index`: SyncIndex operations at scale.
struct BenchIndex: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Measure SyncIndex bulk load, memory, insert, remove and range fingerprints."
    )

    @Option(help: "Items in the index.")
    var items = 1_000_000

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let report = IndexBenchmark.run(items: self.items)
        print(self.json ? try JSONOutput.string(report) : report.table)
    }
}
