internal import ArgumentParser
internal import WakuBench

/// `wakusync bench ui`: the monitor's costs without a terminal — frame render time at four sizes,
/// the reducer's cost per event, and the CPU share of the UI thread in a synthetic 1000 events/s,
/// 10 frames/s loop (render to a CellGrid and diff the rows, as the paint step does).
struct BenchUI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui",
        abstract: "Measure frame render time, reducer cost per event and the UI loop's CPU share."
    )

    @Option(help: "Seconds to run the synthetic event + frame loop.")
    var seconds = 10.0

    @Option(help: "Events per second in the loop.")
    var eventsPerSecond = 1000

    @Option(help: "Frames per second in the loop.")
    var framesPerSecond = 10

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard self.seconds > 0, self.eventsPerSecond > 0, self.framesPerSecond > 0 else {
            throw ValidationError("--seconds, --events-per-second and --frames-per-second must be positive")
        }
    }

    func run() async throws {
        let report = try await UIBenchmark(
            seconds: self.seconds,
            eventsPerSecond: self.eventsPerSecond,
            framesPerSecond: self.framesPerSecond
        ).run()
        print(self.json ? try JSONOutput.string(report) : report.table)
    }
}
