internal import ArgumentParser
internal import WakuBench

/// `wakusync bench relay`: messages through a line of three relay nodes on loopback.
struct BenchRelay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Measure Waku Relay through a line of three nodes: messages/s, CPU per message, latency.",
        discussion: """
            Three relay nodes A–B–C on 127.0.0.1 (A connects to B, B to C) wait until a warm-up \
            message published at A reaches C, then A publishes --messages distinct messages of \
            --payload-size bytes (stamped when generated, just before the run) as fast as the line \
            takes them, at most --window of them not yet delivered at C (relay disconnects a peer \
            whose send queue passes 1024 frames), or at --rate messages/s. Delivery is C's relayed \
            event, matched to the publish by relay message id (the SHA-256 of the encoded message). \
            Throughput runs from the first publish to the last delivery; CPU is the whole process's \
            (all three nodes and the bench) over the same span, divided by the messages delivered.
            """
    )

    @Option(help: "Messages to publish at A.")
    var messages = 20_000

    @Option(help: "Payload bytes per message.")
    var payloadSize = 1_024

    @Option(help: "Publish at this many messages/s (default: as fast as the line takes them).")
    var rate: Double?

    @Option(help: "At most this many messages published and not yet delivered at C.")
    var window = 256

    @Option(help: "Seconds without a delivery at C after which the rest count as lost.")
    var stallSeconds: Double = 5

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard self.messages > 0 else { throw ValidationError("--messages must be positive") }
        guard self.payloadSize >= 8, self.payloadSize <= 100_000 else {
            throw ValidationError("--payload-size must be 8…100000 bytes")
        }
        guard self.window > 0, self.window <= 1_000 else { throw ValidationError("--window must be 1…1000") }
        if let rate = self.rate, !(rate > 0) { throw ValidationError("--rate must be positive") }
        guard self.stallSeconds > 0 else { throw ValidationError("--stall-seconds must be positive") }
    }

    func run() async throws {
        let report = try await RelayBenchmark(
            messages: self.messages,
            payloadSize: self.payloadSize,
            rate: self.rate,
            window: self.window,
            stallSeconds: self.stallSeconds
        ).run()
        print(self.json ? try JSONOutput.string(report) : report.table)
    }
}
