internal import ArgumentParser
internal import WakuBench

/// `wakusync bench node`: two real nodes on loopback reconciling and transferring, and the idle
/// cost of a node with connected peers.
struct BenchNode: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Measure a whole sync between two nodes, and an idle node's CPU with 10 peers.",
        discussion: """
            Sync: each node stores --items messages, --differing of them unique to it; one session \
            plus the transfer of every missing message both ways is timed (wall clock) until both \
            archives hold the union. Idle: a node (a child process) with 10 connected peers is \
            watched for --idle-seconds and its CPU share reported.
            """
    )

    @Option(help: "Messages per node.")
    var items = 100_000

    @Option(help: "Fraction unique to each node.")
    var differing = 0.01

    @Option(help: "Seconds to watch the idle node (0 skips it).")
    var idleSeconds: Double = 30

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(
        inversion: .prefixedNo,
        help: """
            Checkpoint both archives after loading them, as a node that has been running holds its \
            messages in the database file rather than the WAL (without it the load's checkpoint, \
            with its sync to disk, lands inside the measurement).
            """
    )
    var checkpoint = true

    @Flag(help: "Print both nodes' events during the sync, with the time since it started.")
    var trace = false

    func run() async throws {
        let (report, trace) = try await NodeBenchmark(
            items: self.items,
            differing: self.differing,
            idleSeconds: self.idleSeconds,
            checkpoint: self.checkpoint,
            trace: self.trace,
            idleNodeArguments: ["run", "--headless", "--listen", "/ip4/127.0.0.1/tcp/0"]
        ).run()
        for line in trace { print(line) }
        print(self.json ? try JSONOutput.string(report) : report.table)
    }
}
