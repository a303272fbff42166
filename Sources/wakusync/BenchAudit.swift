internal import ArgumentParser
internal import WakuBench

/// `wakusync bench audit`: the archive audit between two nodes over days of traffic.
struct BenchAudit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Measure an archive audit and repair between two nodes over days of traffic.",
        discussion: """
            Fills two SQLite archives with --days of traffic at --rate messages/s (the shared part once, \
            copied), adds --missing of that to each side only, then has one node audit the other over \
            loopback with repair and again without: wall time, round trips, bytes, differences found and \
            repaired. Then the Store-query fallback over --store-hours against the same node serving Store \
            only, and the insert rate with and without the audit buckets (--overhead-messages).
            """
    )

    @Option(help: "Days of traffic in each archive.")
    var days: Double = 7

    @Option(help: "Messages per second of that traffic.")
    var rate: Double = 10

    @Option(help: "Fraction of messages only one side holds (each side).")
    var missing = 0.0001

    @Option(help: "Payload bytes per message.")
    var payloadBytes = 100

    @Option(help: "Hours audited with Store queries (0 skips the fallback).")
    var storeHours: Double = 1

    @Option(help: "Messages inserted with and without buckets to measure their cost (0 skips it).")
    var overheadMessages = 200_000

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard self.days > 0, self.rate > 0, self.days * self.rate * 86_400 >= 1 else {
            throw ValidationError("--days and --rate must make at least one message")
        }
        guard self.missing > 0, self.missing < 1 else { throw ValidationError("--missing must be in (0, 1)") }
        guard self.payloadBytes >= 8, self.storeHours >= 0, self.overheadMessages >= 0 else {
            throw ValidationError("--payload-bytes must be at least 8, --store-hours and --overhead-messages ≥ 0")
        }
    }

    func run() async throws {
        let json = self.json
        let report = try await AuditBenchmark(
            days: self.days,
            rate: self.rate,
            missing: self.missing,
            payloadBytes: self.payloadBytes,
            storeHours: self.storeHours,
            overheadMessages: self.overheadMessages
        ).run { line in if !json { print(line) } }
        print(json ? try JSONOutput.string(report) : report.table)
    }
}
