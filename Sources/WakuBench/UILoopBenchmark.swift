internal import Foundation
internal import MonitorUI
internal import NodeEvents
internal import TerminalNCurses

/// The monitor's runtime shape without a terminal (ARCHITECTURE.md §2): a producer yields
/// synthetic events into a bounded stream, an aggregator folds them into the hub, and a
/// dedicated thread renders a copy ~10×/s and diffs it against the previous frame like the
/// paint step. Measures the UI thread's CPU time and the process's over wall time.
struct UILoopBenchmark {
    var seconds: Double
    var eventsPerSecond: Int
    var framesPerSecond: Int
    var size: Size

    func run() async throws -> UIBenchmark.LoopCost {
        let now = WallClock.now()
        let hub = MonitorHub(dashboard: UIBenchmark.busyDashboard(endingAt: now)) { _ in }
        let (events, continuation) = AsyncStream.makeStream(of: NodeEvent.self, bufferingPolicy: .bufferingNewest(1024))
        let appliedBefore = hub.snapshot().state.eventsApplied
        let processStart = Measurement.processCPUTime()
        let wallStart = ContinuousClock.now
        let (eventsPerSecond, seconds) = (self.eventsPerSecond, self.seconds)
        let ui: (cpu: Duration, frames: Int, frameTime: Duration) = try await withThrowingTaskGroup(
            of: Void.self
        ) { group in
            group.addTask {
                var workload = UIWorkload(seed: 3)
                // Batches every 10 ms: the average rate without a timer wake-up per event.
                let perBatch = max(1, eventsPerSecond / 100)
                let deadline = ContinuousClock.now + .seconds(seconds)
                while ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(10))
                    for _ in 0..<perBatch { continuation.yield(workload.next(at: WallClock.now())) }
                }
                continuation.finish()
            }
            group.addTask {
                for await event in events {
                    let time = WallClock.now()
                    hub.update { $0.apply(event, fromNode: 0, at: time) }
                }
            }
            let result = try await UIThread.run { [size = self.size, fps = self.framesPerSecond] in
                Self.uiLoop(hub: hub, size: size, framesPerSecond: fps, seconds: seconds)
            }
            try await group.waitForAll()
            return result
        }
        let wall = ContinuousClock.now - wallStart
        let process = Measurement.processCPUTime() - processStart
        let wallMs = wall.milliseconds
        return UIBenchmark.LoopCost(
            size: self.size.description,
            seconds: wallMs / 1000,
            eventsApplied: hub.snapshot().state.eventsApplied - appliedBefore,
            framesRendered: ui.frames,
            meanFrameMs: ui.frameTime.milliseconds / Double(max(1, ui.frames)),
            uiThreadCPUPercent: ui.cpu.milliseconds / wallMs * 100,
            processCPUPercent: process.milliseconds / wallMs * 100
        )
    }

    /// What the UI thread does each frame, minus curses: sleep until the frame is due, copy,
    /// render, diff.
    private static func uiLoop(
        hub: MonitorHub,
        size: Size,
        framesPerSecond: Int,
        seconds: Double
    ) -> (cpu: Duration, frames: Int, frameTime: Duration) {
        let renderer = Renderer(theme: .colour, glyphs: .unicode)
        let clock = ContinuousClock()
        let interval = Duration.seconds(1) / framesPerSecond
        let deadline = clock.now + .seconds(seconds)
        let cpuStart = Measurement.threadCPUTime()
        var previous: CellGrid?
        var frames = 0
        var frameTime = Duration.zero
        var changedRows = 0
        var next = clock.now
        while clock.now < deadline {
            let wait = next - clock.now
            if wait > .zero { usleep(UInt32(wait.microseconds)) }
            let frameStart = Measurement.threadCPUTime()
            let grid = renderer.render(hub.snapshot(), size: size, now: WallClock.now())
            changedRows += grid.rowsDiffering(from: previous).count
            previous = grid
            frameTime += Measurement.threadCPUTime() - frameStart
            frames += 1
            next += interval
        }
        precondition(changedRows >= 0, "keeps the diff alive")
        return (Measurement.threadCPUTime() - cpuStart, frames, frameTime)
    }
}
