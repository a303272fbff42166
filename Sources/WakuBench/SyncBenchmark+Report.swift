internal import Foundation

extension SyncBenchmark {
    /// What `bench sync` prints: one scenario or the matrix, as a table or (`--json`) this value.
    package struct Report: Codable {
        /// In the order they ran.
        package var scenarios: [Result]

        /// A report of `scenarios`.
        package init(scenarios: [Result]) {
            self.scenarios = scenarios
        }

        /// The figures as a table, one line per scenario under a header.
        package var table: String {
            let columns = TextColumns(widths: [9, 9, 8, 11, 11, 11, 11, 8, 8, 6, 8, 9, 10, 9, 7], separator: "  ")
            var lines = [
                "items      differing  strategy  round trips  bytes I→R    bytes R→I    bytes total  CPU I ms  CPU R ms  CPU ms  peak MiB  max frame  max ranges  max items  correct"
            ]
            for result in self.scenarios {
                lines.append(
                    columns.line([
                        String(result.items), String(format: "%.3g %%", result.differing * 100), result.strategy,
                        String(result.roundTrips), String(result.bytesInitiatorToResponder),
                        String(result.bytesResponderToInitiator), String(result.bytesTotal),
                        String(format: "%.1f", result.cpuMsInitiator), String(format: "%.1f", result.cpuMsResponder),
                        String(format: "%.1f", result.cpuMsTotal), String(result.peakMemoryBytes / 1_048_576),
                        String(result.largestFrameBytes), String(result.mostRangesInFrame),
                        String(result.mostItemsInFrame), result.correct ? "yes" : "NO",
                    ])
                )
            }
            return lines.joined(separator: "\n")
        }
    }
}
