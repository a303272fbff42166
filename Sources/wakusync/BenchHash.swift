internal import ArgumentParser
internal import Foundation
internal import WakuCore

/// `wakusync bench hash`: deterministic message hashes per second.
struct BenchHash: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash",
        abstract: "Measure message hashes per second for 100-byte payloads."
    )

    @Option(help: "Payload size in bytes.")
    var payloadSize = 100

    @Option(help: "Messages to hash.")
    var count = 1_000_000

    @Flag(help: "Print JSON.")
    var json = false

    struct Report: Codable {
        var payloadBytes: Int
        var messages: Int
        var hashesPerSecond: Double
    }

    func run() async throws {
        var generator = SeededRandom(seed: 9)
        let messages = (0..<1_000).map { number in
            WakuMessage(
                payload: (0..<self.payloadSize).map { _ in UInt8(truncatingIfNeeded: generator.next()) },
                contentTopic: "/bench/1/hash-\(number % 10)/proto",
                timestamp: 1_700_000_000_000_000_000 + Int64(number),
                meta: []
            )
        }
        var sink = MessageHash.zero
        let time = Measurement.cpuTime {
            for number in 0..<self.count {
                sink ^= messages[number % messages.count].hash(pubsubTopic: "/waku/2/rs/1/0")
            }
        }
        precondition(sink != .max || self.count == 0, "keeps the measured loop alive")
        let report = Report(
            payloadBytes: self.payloadSize,
            messages: self.count,
            hashesPerSecond: Double(self.count) / max(Measurement.milliseconds(time) / 1e3, 1e-9)
        )
        if self.json {
            print(try JSONOutput.string(report))
        } else {
            print(
                "message hash, \(report.payloadBytes)-byte payloads: \(Int(report.hashesPerSecond)) hashes/s (CPU time)"
            )
        }
    }
}
