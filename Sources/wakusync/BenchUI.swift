internal import ArgumentParser
internal import Foundation
internal import MonitorUI
internal import NodeEvents
internal import TerminalNCurses

/// `wakusync bench ui`: the monitor's costs without a terminal — frame render time at four sizes,
/// the reducer's cost per event, and the CPU share of the UI thread in a synthetic 1000 events/s,
/// 10 frames/s loop (render to a CellGrid and diff the rows, as the paint step does).
struct BenchUI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui",
        abstract: "Measure frame render time, reducer cost per event and the UI loop's CPU share."
    )

    static let sizes = [
        Size(width: 80, height: 24), Size(width: 160, height: 48), Size(width: 200, height: 60),
        Size(width: 250, height: 70),
    ]

    @Option(help: "Seconds to run the synthetic event + frame loop.")
    var seconds = 10.0

    @Option(help: "Events per second in the loop.")
    var eventsPerSecond = 1000

    @Option(help: "Frames per second in the loop.")
    var framesPerSecond = 10

    @Flag(help: "Print JSON.")
    var json = false

    struct FrameCost: Codable {
        var size: String
        var meanMs: Double
        var p99Ms: Double
        var maxMs: Double
    }

    struct LoopCost: Codable {
        var size: String
        var seconds: Double
        var eventsApplied: Int
        var framesRendered: Int
        var meanFrameMs: Double
        /// CPU time of the UI thread over wall time, percent of one core.
        var uiThreadCPUPercent: Double
        /// CPU time of the whole process (producer, aggregator, UI) over wall time.
        var processCPUPercent: Double
    }

    struct Report: Codable {
        var frames: [FrameCost]
        var reducerNanosecondsPerEvent: Double
        var loop: LoopCost
    }

    func validate() throws {
        guard self.seconds > 0, self.eventsPerSecond > 0, self.framesPerSecond > 0 else {
            throw ValidationError("--seconds, --events-per-second and --frames-per-second must be positive")
        }
    }

    func run() async throws {
        let now = WallClock.now()
        let busy = Self.busyDashboard(endingAt: now)
        let renderer = Renderer(theme: .colour, glyphs: .unicode)
        let frames = Self.sizes.map { Self.frameCost(busy, size: $0, renderer: renderer, now: now) }
        let reducer = Self.reducerCost(events: 200_000, now: now)
        let loop = try await UILoopBenchmark(
            seconds: self.seconds,
            eventsPerSecond: self.eventsPerSecond,
            framesPerSecond: self.framesPerSecond,
            size: Size(width: 200, height: 60)
        ).run()
        let report = Report(frames: frames, reducerNanosecondsPerEvent: reducer, loop: loop)
        print(self.json ? try JSONOutput.string(report) : Self.table(report))
    }

    /// A dashboard after a minute of the synthetic workload at 1000 events/s.
    static func busyDashboard(endingAt now: Int64) -> Dashboard {
        var dashboard = Dashboard(nodeNames: ["bench"])
        var workload = UIWorkload(seed: 42)
        let start = now - 60 * 1_000_000_000
        for event in workload.opening(at: start) { dashboard.apply(event, fromNode: 0, at: start) }
        for index in 0..<60_000 {
            let time = start + Int64(index) * 1_000_000
            dashboard.apply(workload.next(at: time), fromNode: 0, at: time)
        }
        return dashboard
    }

    private static func frameCost(_ dashboard: Dashboard, size: Size, renderer: Renderer, now: Int64) -> FrameCost {
        var dashboard = dashboard
        dashboard.resize(to: size)
        var samples: [Double] = []
        var sink = 0
        for frame in 0..<300 {
            let time = now + Int64(frame) * 100_000_000
            let cost = Measurement.cpuTime {
                sink &+= renderer.render(dashboard, size: size, now: time).cells.count
            }
            samples.append(Measurement.milliseconds(cost))
        }
        precondition(sink > 0, "keeps the rendered frames alive")
        samples.sort()
        return FrameCost(
            size: size.description,
            meanMs: samples.reduce(0, +) / Double(samples.count),
            p99Ms: samples[samples.count * 99 / 100],
            maxMs: samples.last ?? 0
        )
    }

    private static func reducerCost(events count: Int, now: Int64) -> Double {
        var workload = UIWorkload(seed: 7)
        let events = (0..<count).map { workload.next(at: now + Int64($0) * 1_000_000) }
        var dashboard = Dashboard(nodeNames: ["bench"])
        for event in workload.opening(at: now) { dashboard.apply(event, fromNode: 0, at: now) }
        let cost = Measurement.cpuTime {
            for (index, event) in events.enumerated() {
                dashboard.apply(event, fromNode: 0, at: now + Int64(index) * 1_000_000)
            }
        }
        precondition(dashboard.state.eventsApplied > 0, "keeps the reduced state alive")
        return Measurement.microseconds(cost) * 1000 / Double(count)
    }

    private static func table(_ report: Report) -> String {
        var lines = ["frame render (CPU time, busy state)", "size      mean ms  p99 ms  max ms"]
        for frame in report.frames {
            lines.append(
                frame.size.padding(toLength: 10, withPad: " ", startingAt: 0)
                    + String(format: "%7.3f  %6.3f  %6.3f", frame.meanMs, frame.p99Ms, frame.maxMs)
            )
        }
        lines.append(String(format: "reducer: %.0f ns per event", report.reducerNanosecondsPerEvent))
        let loop = report.loop
        lines.append(
            String(
                format:
                    "loop at %@, %.0f s: %d events, %d frames (mean %.3f ms): UI thread %.2f %% of one core, process %.2f %%",
                loop.size,
                loop.seconds,
                loop.eventsApplied,
                loop.framesRendered,
                loop.meanFrameMs,
                loop.uiThreadCPUPercent,
                loop.processCPUPercent
            )
        )
        return lines.joined(separator: "\n")
    }
}
