internal import MonitorUI
internal import NodeEvents
internal import TerminalNCurses

/// The monitor's costs without a terminal (`wakusync bench ui`): frame render time at four sizes,
/// the reducer's cost per event, and the CPU share of the UI thread in a synthetic event + frame
/// loop (render to a CellGrid and diff the rows, as the paint step does).
package struct UIBenchmark {
    static let sizes = [
        Size(width: 80, height: 24), Size(width: 160, height: 48), Size(width: 200, height: 60),
        Size(width: 250, height: 70),
    ]

    /// Seconds to run the synthetic event + frame loop.
    package var seconds: Double
    /// Events per second in the loop.
    package var eventsPerSecond: Int
    /// Frames per second in the loop.
    package var framesPerSecond: Int

    /// A run with this loop.
    package init(seconds: Double, eventsPerSecond: Int, framesPerSecond: Int) {
        self.seconds = seconds
        self.eventsPerSecond = eventsPerSecond
        self.framesPerSecond = framesPerSecond
    }

    /// Frame costs, reducer cost, then the loop.
    package func run() async throws -> Report {
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
        return Report(frames: frames, reducerNanosecondsPerEvent: reducer, loop: loop)
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
            samples.append(cost.milliseconds)
        }
        precondition(sink > 0, "keeps the rendered frames alive")
        let sorted = SortedSamples(samples)
        return FrameCost(
            size: size.description,
            meanMs: samples.reduce(0, +) / Double(samples.count),
            p99Ms: sorted.percentile(0.99) ?? 0,
            maxMs: sorted.maximum ?? 0
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
        return cost.microseconds * 1000 / Double(count)
    }
}
