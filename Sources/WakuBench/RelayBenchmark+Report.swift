internal import Foundation

extension RelayBenchmark {
    /// The figures of one run, and the targets (≥ 5 000 messages/s, ≤ 50 µs CPU per message per
    /// node, PERFORMANCE.md §1).
    ///
    /// The three nodes share one process, so the CPU per node is the whole process's divided by
    /// three: it also carries the bench's own publishing and matching, so it errs high.
    package struct Report {
        /// Nodes in the line.
        static let nodes = 3

        var messages: Int
        var payloadSize: Int
        var window: Int
        var rate: Double?
        var published: Int
        var delivered: Int
        var lost: Int
        var seconds: Double
        var messagesPerSecond: Double
        var cpuSeconds: Double
        var cpuMicrosecondsPerMessage: Double
        var cpuMicrosecondsPerMessagePerNode: Double
        var latencyP50Milliseconds: Double
        var latencyP99Milliseconds: Double
        var latencyMaxMilliseconds: Double
        var targetMessagesPerSecond: Double
        var targetCPUMicrosecondsPerMessage: Double
        var meetsMessagesPerSecond: Bool
        var meetsCPUPerMessage: Bool
    }
}

extension RelayBenchmark.Report {
    /// The figures of a run with `settings`: `published` messages sent, the A→C latency (ms) of
    /// each delivered one, over `seconds` from the first publish to the last delivery, in
    /// `cpuSeconds` of the whole process.
    init(
        settings: RelayBenchmark,
        published: Int,
        latencies: SortedSamples<Double>,
        seconds: Double,
        cpuSeconds: Double
    ) {
        let delivered = latencies.values.count
        let perSecond = Double(delivered) / seconds
        let cpuPerMessage = delivered > 0 ? cpuSeconds / Double(delivered) * 1e6 : .infinity
        let cpuPerNode = cpuPerMessage / Double(Self.nodes)
        let targetPerSecond = 5_000.0
        let targetCPU = 50.0
        self.init(
            messages: settings.messages,
            payloadSize: settings.payloadSize,
            window: settings.window,
            rate: settings.rate,
            published: published,
            delivered: delivered,
            lost: settings.messages - delivered,
            seconds: seconds,
            messagesPerSecond: perSecond,
            cpuSeconds: cpuSeconds,
            cpuMicrosecondsPerMessage: cpuPerMessage,
            cpuMicrosecondsPerMessagePerNode: cpuPerNode,
            latencyP50Milliseconds: latencies.percentile(0.50) ?? .nan,
            latencyP99Milliseconds: latencies.percentile(0.99) ?? .nan,
            latencyMaxMilliseconds: latencies.maximum ?? .nan,
            targetMessagesPerSecond: targetPerSecond,
            targetCPUMicrosecondsPerMessage: targetCPU,
            meetsMessagesPerSecond: perSecond >= targetPerSecond,
            meetsCPUPerMessage: cpuPerNode <= targetCPU
        )
    }

    /// The figures as a summary line and a table against the targets.
    package var table: String {
        let load = self.rate.map { String(format: "at %g msgs/s", $0) } ?? "as fast as possible"
        let columns = TextColumns(widths: [34, 22, 14])
        var lines = [
            """
            relay line A–B–C on loopback: \(self.messages) messages of \(self.payloadSize) B published at A \
            (\(load), window \(self.window)); \(self.delivered) delivered at C, \(self.lost) lost, \
            over \(String(format: "%.3f", self.seconds)) s
            """,
            columns.line(["scenario", "measured", "target", "ok"]),
        ]
        let rows: [(String, String, String, Bool?)] = [
            (
                "forwarded through the line", String(format: "%.0f msgs/s", self.messagesPerSecond),
                String(format: ">= %.0f", self.targetMessagesPerSecond),
                self.meetsMessagesPerSecond
            ),
            (
                "CPU per message per node", String(format: "%.1f µs", self.cpuMicrosecondsPerMessagePerNode),
                String(format: "<= %.0f", self.targetCPUMicrosecondsPerMessage),
                self.meetsCPUPerMessage
            ),
            ("CPU per message, whole line", String(format: "%.1f µs", self.cpuMicrosecondsPerMessage), "", nil),
            ("latency A→C p50", String(format: "%.2f ms", self.latencyP50Milliseconds), "", nil),
            ("latency A→C p99", String(format: "%.2f ms", self.latencyP99Milliseconds), "", nil),
            ("latency A→C max", String(format: "%.2f ms", self.latencyMaxMilliseconds), "", nil),
        ]
        for (name, measured, target, ok) in rows {
            lines.append(columns.line([name, measured, target, ok.map { $0 ? "yes" : "NO" } ?? ""]))
        }
        lines.append(
            String(
                format: "  process CPU %.3f s for the whole line (three nodes and the bench; per node = a third)",
                self.cpuSeconds
            )
        )
        return lines.joined(separator: "\n")
    }
}
