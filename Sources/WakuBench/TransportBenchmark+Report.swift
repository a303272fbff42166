extension TransportBenchmark {
    /// The figures of one run.
    package struct Report {
        var megabytesPerSecond: Double
        var roundTripsPerSecond: Double
        var setUpMedianMilliseconds: Double
        var setUpP90Milliseconds: Double
        var bytesCorrect: Bool
        var echoCorrect: Bool

        /// Whether every byte and every echo came back as sent.
        package var isCorrect: Bool { self.bytesCorrect && self.echoCorrect }

        /// The figures as lines of text, against their targets.
        package var table: String {
            """
            libp2p transport over loopback (Noise XX + yamux, one stream)
              throughput           \(Self.format(self.megabytesPerSecond)) MB/s      (target >= 200)
              round trips          \(Self.format(self.roundTripsPerSecond)) /s        (target >= 10000)
              connection set-up    \(Self.format(self.setUpMedianMilliseconds)) ms median, \
            \(Self.format(self.setUpP90Milliseconds)) ms p90 (target <= 5)
              correctness          \(self.isCorrect ? "ok" : "FAILED") (bytes \(self.bytesCorrect ? "ok" : "wrong"), \
            echoes \(self.echoCorrect ? "ok" : "wrong"))
            """
        }

        /// What `--json` prints, in this order, figures to two decimals.
        package var json: KeyValuePairs<String, Any> {
            [
                "throughput_mb_per_s": Self.rounded(self.megabytesPerSecond),
                "round_trips_per_s": Self.rounded(self.roundTripsPerSecond),
                "setup_ms_median": Self.rounded(self.setUpMedianMilliseconds),
                "setup_ms_p90": Self.rounded(self.setUpP90Milliseconds),
                "correct": self.isCorrect,
            ]
        }

        private static func rounded(_ value: Double) -> Double { Double(Int((value * 100).rounded())) / 100 }

        private static func format(_ value: Double) -> String { String(Self.rounded(value)) }
    }
}
