internal import Foundation

extension UIBenchmark {
    /// Render cost of one frame size (CPU time, busy state).
    struct FrameCost: Codable {
        var size: String
        var meanMs: Double
        var p99Ms: Double
        var maxMs: Double
    }

    /// What the synthetic event + frame loop cost.
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

    /// The figures of one run.
    package struct Report: Codable {
        var frames: [FrameCost]
        var reducerNanosecondsPerEvent: Double
        var loop: LoopCost

        /// The figures as a table of frame costs and two lines.
        package var table: String {
            let columns = TextColumns(widths: [10])
            var lines = ["frame render (CPU time, busy state)", "size      mean ms  p99 ms  max ms"]
            for frame in self.frames {
                lines.append(
                    columns.line([
                        frame.size, String(format: "%7.3f  %6.3f  %6.3f", frame.meanMs, frame.p99Ms, frame.maxMs),
                    ])
                )
            }
            lines.append(String(format: "reducer: %.0f ns per event", self.reducerNanosecondsPerEvent))
            let loop = self.loop
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
}
