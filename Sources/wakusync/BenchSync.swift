internal import ArgumentParser
internal import Foundation
internal import WakuBench
internal import WakuSync

/// `wakusync bench sync`: reconciliation scenarios in one process (PERFORMANCE.md §1).
struct BenchSync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Reconcile two generated item sets and report round trips, bytes, CPU and memory.",
        discussion: """
            Each side holds --items items; --differing of them are unique to each side. Without \
            --items, --differing and --strategy, runs the matrix 10k/100k/1M × 0/0.1/1 % × both \
            strategies, each scenario in a child process so its peak memory is its own.
            """
    )

    @Option(help: "Items per side.")
    var items: Int?

    @Option(help: "Fraction of each side's items unique to it, e.g. 0.001.")
    var differing: Double?

    @Option(help: "balanced or nwaku.")
    var strategy: SyncStrategy.Kind?

    @Option(help: "Random seed for the generated sets.")
    var seed: UInt64 = 1

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(help: "With a single scenario, also print every frame of the session.")
    var frames = false

    func validate() throws {
        if let items = self.items, items < 0 || items > 20_000_000 {
            throw ValidationError("--items must be 0…20000000")
        }
        if let differing = self.differing, !(0...1).contains(differing) {
            throw ValidationError("--differing must be 0…1")
        }
    }

    func run() async throws {
        let report: SyncBenchmark.Report
        if self.items != nil || self.differing != nil || self.strategy != nil {
            let scenario = SyncBenchmark.Scenario(
                items: self.items ?? 100_000,
                differing: self.differing ?? 0.01,
                strategy: self.strategy ?? .balanced
            )
            let (result, transcript) = SyncBenchmark.run(scenario, seed: self.seed, keepingFrames: self.frames)
            report = SyncBenchmark.Report(scenarios: [result])
            if self.frames {
                print(
                    SessionText.describe(
                        transcript,
                        strategy: .defaults(for: scenario.strategy),
                        window: (SyncBenchmark.start, SyncBenchmark.end)
                    )
                )
            }
        } else {
            var results: [SyncBenchmark.Result] = []
            for scenario in SyncBenchmark.matrix {
                if !self.json { StandardStreams.write("running \(scenario)…\n", to: .standardError) }
                results.append(try SyncBenchmark.runInChild(scenario, arguments: self.childArguments(scenario)))
            }
            report = SyncBenchmark.Report(scenarios: results)
        }
        print(self.json ? try JSONOutput.string(report) : report.table)
    }

    /// This command for one scenario of the matrix, printing JSON.
    private func childArguments(_ scenario: SyncBenchmark.Scenario) -> [String] {
        [
            "bench", "sync", "--items", "\(scenario.items)", "--differing", "\(scenario.differing)",
            "--strategy", scenario.strategy.rawValue, "--seed", "\(self.seed)", "--json",
        ]
    }
}
