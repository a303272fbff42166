internal import WakuCore

/// Deterministic message hashes per second (`wakusync bench hash`), in CPU time.
package enum HashBenchmark {
    /// The figures of one run.
    package struct Report: Codable {
        var payloadBytes: Int
        var messages: Int
        var hashesPerSecond: Double

        /// The figure as one line.
        package var table: String {
            "message hash, \(self.payloadBytes)-byte payloads: \(Int(self.hashesPerSecond)) hashes/s (CPU time)"
        }
    }

    /// Hashes `count` messages of `payloadSize` bytes (a thousand distinct ones, in turn).
    package static func run(payloadSize: Int, count: Int) -> Report {
        var generator = SeededRandom(seed: 9)
        let messages = (0..<1_000).map { number in
            WakuMessage(
                payload: (0..<payloadSize).map { _ in UInt8(truncatingIfNeeded: generator.next()) },
                contentTopic: "/bench/1/hash-\(number % 10)/proto",
                timestamp: 1_700_000_000_000_000_000 + Int64(number),
                meta: []
            )
        }
        var sink = MessageHash.zero
        let time = Measurement.cpuTime {
            for number in 0..<count {
                sink ^= messages[number % messages.count].hash(pubsubTopic: "/waku/2/rs/1/0")
            }
        }
        precondition(sink != .max || count == 0, "keeps the measured loop alive")
        return Report(
            payloadBytes: payloadSize,
            messages: count,
            hashesPerSecond: Double(count) / max(time.seconds, 1e-9)
        )
    }
}
