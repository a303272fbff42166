internal import Foundation

/// One measured figure of `bench archive` and its target.
package struct ArchiveBenchResult {
    /// `sqlite` or `postgres`.
    var backend = ""
    var name: String
    var detail: String
    var value: Double
    var unit: String
    var target: Double
    var higherIsBetter: Bool
    var extra: [String: Double] = [:]

    var meetsTarget: Bool { self.higherIsBetter ? self.value >= self.target : self.value <= self.target }

    /// What `--json` prints for this figure (an array of these, keys sorted).
    package var json: [String: Any] {
        [
            "backend": self.backend, "name": self.name, "detail": self.detail, "value": self.value, "unit": self.unit,
            "target": self.target, "meetsTarget": self.meetsTarget, "extra": self.extra,
        ]
    }

    /// A median latency in milliseconds from `times`, with the p95 as an extra; target 5 ms.
    static func latency(_ name: String, _ detail: String, _ times: [Duration]) -> ArchiveBenchResult {
        let samples = SortedSamples(times)
        return ArchiveBenchResult(
            name: name,
            detail: detail,
            value: (samples.median ?? .zero).milliseconds,
            unit: "ms",
            target: 5,
            higherIsBetter: false,
            extra: ["p95 ms": (samples.percentile(0.95) ?? .zero).milliseconds]
        )
    }

    /// `results` as a table under a header, one line per figure.
    package static func table(_ results: [ArchiveBenchResult]) -> String {
        let columns = TextColumns(widths: [10, 33, 22, 14, 5])
        var lines = [columns.line(["backend", "scenario", "measured", "target", "ok", "what"])]
        for result in results {
            let comparison = result.higherIsBetter ? ">=" : "<="
            let extra = result.extra.sorted { $0.key < $1.key }.map { String(format: "%@ %.3f", $0.key, $0.value) }
            lines.append(
                columns.line([
                    result.backend, result.name, String(format: "%.3f %@", result.value, result.unit),
                    String(format: "%@ %g", comparison, result.target), result.meetsTarget ? "yes" : "NO",
                    result.detail + (extra.isEmpty ? "" : " (" + extra.joined(separator: ", ") + ")"),
                ])
            )
        }
        return lines.joined(separator: "\n")
    }
}
