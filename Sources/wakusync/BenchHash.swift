internal import ArgumentParser
internal import WakuBench

/// `wakusync bench hash`: deterministic message hashes per second.
struct BenchHash: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash",
        abstract: "Measure message hashes per second for 100-byte payloads."
    )

    @Option(help: "Payload size in bytes.")
    var payloadSize = 100

    @Option(help: "Messages to hash.")
    var count = 1_000_000

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let report = HashBenchmark.run(payloadSize: self.payloadSize, count: self.count)
        print(self.json ? try JSONOutput.string(report) : report.table)
    }
}
