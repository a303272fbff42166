internal import ArgumentParser
internal import WakuBench

/// `wakusync bench transport`: two libp2p hosts on loopback, Noise + yamux, measuring one-stream
/// throughput, small request/response round trips and connection set-up (PERFORMANCE.md).
struct BenchTransport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transport",
        abstract: "Measure libp2p throughput, round trips and connection set-up over loopback."
    )

    @Flag(help: "Print the figures as JSON.")
    var json = false

    @Option(help: "MiB sent on one stream for the throughput figure.")
    var megabytes = 512

    @Option(help: "Request/response round trips.")
    var roundTrips = 20_000

    @Option(help: "Connections set up for the set-up figure.")
    var connections = 200

    func run() async throws {
        let report = try await TransportBenchmark(
            megabytes: self.megabytes,
            roundTrips: self.roundTrips,
            connections: self.connections,
            agentVersion: "wakusync/\(WakusyncVersion.current)"
        ).run()
        print(self.json ? try JSONOutput.string(report.json) : report.table)
        if !report.isCorrect { throw ExitCode.failure }
    }
}
