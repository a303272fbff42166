internal import ArgumentParser
internal import Foundation
internal import WakuCore
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
        let report: BenchSyncReport
        if self.items != nil || self.differing != nil || self.strategy != nil {
            let scenario = SyncBenchmark.Scenario(
                items: self.items ?? 100_000,
                differing: self.differing ?? 0.01,
                strategy: self.strategy ?? .balanced
            )
            let (result, transcript) = SyncBenchmark.run(scenario, seed: self.seed, keepingFrames: self.frames)
            report = BenchSyncReport(scenarios: [result])
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
                results.append(try Self.runInChild(scenario, seed: self.seed))
            }
            report = BenchSyncReport(scenarios: results)
        }
        print(self.json ? try JSONOutput.string(report) : report.table)
    }

    private static func runInChild(_ scenario: SyncBenchmark.Scenario, seed: UInt64) throws -> SyncBenchmark.Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = [
            "bench", "sync", "--items", "\(scenario.items)", "--differing", "\(scenario.differing)",
            "--strategy", scenario.strategy.rawValue, "--seed", "\(seed)", "--json",
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let result = try JSONDecoder().decode(BenchSyncReport.self, from: data).scenarios.first
        else {
            throw CommandFailure("scenario \(scenario) failed (status \(process.terminationStatus))")
        }
        return result
    }
}

/// What `bench sync --json` prints.
struct BenchSyncReport: Codable {
    var scenarios: [SyncBenchmark.Result]

    var table: String {
        var lines = [
            "items      differing  strategy  round trips  bytes I→R    bytes R→I    bytes total  CPU I ms  CPU R ms  CPU ms  peak MiB  max frame  max ranges  max items  correct"
        ]
        for result in self.scenarios {
            let columns: [(String, Int)] = [
                (String(result.items), 9), (String(format: "%.3g %%", result.differing * 100), 9), (result.strategy, 8),
                (String(result.roundTrips), 11), (String(result.bytesInitiatorToResponder), 11),
                (String(result.bytesResponderToInitiator), 11), (String(result.bytesTotal), 11),
                (String(format: "%.1f", result.cpuMsInitiator), 8), (String(format: "%.1f", result.cpuMsResponder), 8),
                (String(format: "%.1f", result.cpuMsTotal), 6), (String(result.peakMemoryBytes / 1_048_576), 8),
                (String(result.largestFrameBytes), 9), (String(result.mostRangesInFrame), 10),
                (String(result.mostItemsInFrame), 9), (result.correct ? "yes" : "NO", 7),
            ]
            lines.append(
                columns.map { $0.0.padding(toLength: $0.1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
            )
        }
        return lines.joined(separator: "\n")
    }
}
