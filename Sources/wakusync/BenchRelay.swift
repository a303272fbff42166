internal import ArgumentParser
internal import Foundation
internal import Logging
internal import NodeEvents
internal import Synchronization
internal import WakuCore
internal import WakuNode

/// `wakusync bench relay`: messages through a line of three relay nodes on loopback.
struct BenchRelay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Measure Waku Relay through a line of three nodes: messages/s, CPU per message, latency.",
        discussion: """
            Three relay nodes A–B–C on 127.0.0.1 (A connects to B, B to C) wait until a warm-up \
            message published at A reaches C, then A publishes --messages distinct messages of \
            --payload-size bytes (stamped when generated, just before the run) as fast as the line \
            takes them, at most --window of them not yet delivered at C (relay disconnects a peer \
            whose send queue passes 1024 frames), or at --rate messages/s. Delivery is C's relayed \
            event, matched to the publish by relay message id (the SHA-256 of the encoded message). \
            Throughput runs from the first publish to the last delivery; CPU is the whole process's \
            (all three nodes and the bench) over the same span, divided by the messages delivered.
            """
    )

    static let topic = "/waku/2/rs/0/0"

    @Option(help: "Messages to publish at A.")
    var messages = 20_000

    @Option(help: "Payload bytes per message.")
    var payloadSize = 1_024

    @Option(help: "Publish at this many messages/s (default: as fast as the line takes them).")
    var rate: Double?

    @Option(help: "At most this many messages published and not yet delivered at C.")
    var window = 256

    @Option(help: "Seconds without a delivery at C after which the rest count as lost.")
    var stallSeconds: Double = 5

    @Flag(help: "Print JSON.")
    var json = false

    struct Report {
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
        var latencyP50Milliseconds: Double
        var latencyP99Milliseconds: Double
        var latencyMaxMilliseconds: Double
        var targetMessagesPerSecond: Double
        var targetCPUMicrosecondsPerMessage: Double
        var meetsMessagesPerSecond: Bool
        var meetsCPUPerMessage: Bool
    }

    func validate() throws {
        guard self.messages > 0 else { throw ValidationError("--messages must be positive") }
        guard self.payloadSize >= 8, self.payloadSize <= 100_000 else {
            throw ValidationError("--payload-size must be 8…100000 bytes")
        }
        guard self.window > 0, self.window <= 1_000 else { throw ValidationError("--window must be 1…1000") }
        if let rate = self.rate, !(rate > 0) { throw ValidationError("--rate must be positive") }
        guard self.stallSeconds > 0 else { throw ValidationError("--stall-seconds must be positive") }
    }

    func run() async throws {
        let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let base = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
            "wakusync-bench-relay-\(UUID().uuidString)"
        )
        defer { try? FileManager.default.removeItem(at: base) }
        let nodes = try ["relay-a", "relay-b", "relay-c"].map { try Self.node($0, base: base, logger: logger) }
        let report = try await withThrowingTaskGroup(of: Void.self) { group in
            for node in nodes { group.addTask { try await node.run() } }
            defer { for node in nodes { node.stop() } }
            for node in nodes { try await node.waitUntilStarted() }
            let report = try await self.measure(nodes[0], nodes[1], nodes[2], group: &group)
            for node in nodes { node.stop() }
            try await group.waitForAll()
            return report
        }
        if self.json {
            print(try JSONOutput.string(report))
        } else {
            print(Self.table(report))
        }
    }

    private static func node(_ name: String, base: URL, logger: Logger) throws -> WakuNode {
        var configuration = NodeConfiguration(
            name: name,
            dataDirectory: base.appendingPathComponent(name).path,
            agentVersion: "wakusync/bench"
        )
        configuration.listenAddresses = ["/ip4/127.0.0.1/tcp/0"]
        configuration.syncInterval = .zero
        configuration.relay = true
        return try WakuNode(configuration: configuration, logger: logger)
    }

    private func measure(
        _ a: WakuNode,
        _ b: WakuNode,
        _ c: WakuNode,
        group: inout ThrowingTaskGroup<Void, any Error>
    ) async throws -> Report {
        _ = try await a.connect(to: b.listenAddresses[0])
        _ = try await b.connect(to: c.listenAddresses[0])
        let tracker = DeliveryTracker()
        let events = c.events.subscribe(buffering: self.messages + 8_192)
        group.addTask {
            for await event in events {
                if case .relayed(let relayed) = event { tracker.delivered(relayed.messageID, at: .now) }
            }
        }
        try await self.warmUp(a, tracker: tracker)

        let corpus = Self.corpus(self.messages, payloadSize: self.payloadSize)
        tracker.expect(corpus.map(\.id))
        var published = [ContinuousClock.Instant?](repeating: nil, count: corpus.count)
        var sent = 0
        let cpuStart = Self.processCPUTime()
        let start = ContinuousClock.now
        var lastProgress = (count: 0, at: start)
        var forgiven = 0
        for (index, entry) in corpus.enumerated() {
            if let rate = self.rate {
                let due = start + .nanoseconds(Int64(Double(index) / rate * 1e9))
                if due > .now { try await Task.sleep(until: due, tolerance: .zero) }
            }
            // Keep at most `window` in flight; a stalled line forgives what is in flight.
            while sent - tracker.count - forgiven >= self.window {
                let count = tracker.count
                if count != lastProgress.count {
                    lastProgress = (count, .now)
                } else if ContinuousClock.now - lastProgress.at > .seconds(self.stallSeconds) {
                    forgiven = sent - count
                    break
                }
                try await Task.sleep(for: .microseconds(200))
            }
            published[index] = .now
            do {
                _ = try await a.relayPublish(entry.message, on: Self.topic)
                sent += 1
            } catch {
                published[index] = nil
            }
        }
        // Wait for the rest until they are all in or nothing arrives for `stallSeconds`.
        lastProgress = (tracker.count, .now)
        while tracker.count < sent {
            let count = tracker.count
            if count != lastProgress.count {
                lastProgress = (count, .now)
            } else if ContinuousClock.now - lastProgress.at > .seconds(self.stallSeconds) {
                break
            }
            try await Task.sleep(for: .microseconds(500))
        }
        let arrivals = tracker.arrivals()
        let cpuEnd = Self.processCPUTime()
        let end = arrivals.compactMap { $0 }.max() ?? .now
        var latencies: [Double] = []
        for (publish, arrival) in zip(published, arrivals) {
            guard let publish, let arrival else { continue }
            latencies.append(Measurement.milliseconds(arrival - publish))
        }
        latencies.sort()
        let delivered = latencies.count
        let seconds = Measurement.milliseconds(end - start) / 1e3
        let cpu = cpuEnd - cpuStart
        let perSecond = Double(delivered) / seconds
        let cpuPerMessage = delivered > 0 ? cpu / Double(delivered) * 1e6 : .infinity
        return Report(
            messages: self.messages,
            payloadSize: self.payloadSize,
            window: self.window,
            rate: self.rate,
            published: sent,
            delivered: delivered,
            lost: self.messages - delivered,
            seconds: seconds,
            messagesPerSecond: perSecond,
            cpuSeconds: cpu,
            cpuMicrosecondsPerMessage: cpuPerMessage,
            latencyP50Milliseconds: Self.percentile(latencies, 0.50),
            latencyP99Milliseconds: Self.percentile(latencies, 0.99),
            latencyMaxMilliseconds: latencies.last ?? .nan,
            targetMessagesPerSecond: 5_000,
            targetCPUMicrosecondsPerMessage: 50,
            meetsMessagesPerSecond: perSecond >= 5_000,
            meetsCPUPerMessage: cpuPerMessage <= 50
        )
    }

    /// Publishes a warm-up message at A every 100 ms until one reaches C: the mesh has formed.
    private func warmUp(_ a: WakuNode, tracker: DeliveryTracker) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        var number = 0
        while ContinuousClock.now < deadline {
            number += 1
            let message = WakuMessage(
                payload: Array("warm-up \(number) \(UUID().uuidString)".utf8),
                contentTopic: "/bench/1/relay/proto",
                timestamp: Int64(Date().timeIntervalSince1970 * 1e9)
            )
            tracker.expect([RelayMessageID.of(message.serialized())])
            _ = try? await a.relayPublish(message, on: Self.topic)
            try await Task.sleep(for: .milliseconds(100))
            if tracker.count > 0 { return }
        }
        throw CommandFailure("no warm-up message reached C within 30 s: the mesh did not form")
    }

    /// Distinct messages stamped now, with their relay message ids.
    private static func corpus(_ count: Int, payloadSize: Int) -> [(message: WakuMessage, id: [UInt8])] {
        var random = SeededRandom(seed: UInt64(UInt32.random(in: 0...UInt32.max)))
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        return (0..<count).map { number in
            var payload = [UInt8](repeating: 0, count: payloadSize)
            payload.withUnsafeMutableBytes { bytes in
                for offset in stride(from: 0, to: bytes.count - 7, by: 8) {
                    bytes.storeBytes(of: random.next(), toByteOffset: offset, as: UInt64.self)
                }
                bytes.storeBytes(of: UInt64(number), toByteOffset: 0, as: UInt64.self)
            }
            let message = WakuMessage(payload: payload, contentTopic: "/bench/1/relay/proto", timestamp: now)
            return (message, RelayMessageID.of(message.serialized()))
        }
    }

    private static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)]
    }

    /// User plus system CPU time of the whole process, in seconds.
    private static func processCPUTime() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return user + system
    }

    private static func table(_ report: Report) -> String {
        let load = report.rate.map { String(format: "at %g msgs/s", $0) } ?? "as fast as possible"
        var lines = [
            """
            relay line A–B–C on loopback: \(report.messages) messages of \(report.payloadSize) B published at A \
            (\(load), window \(report.window)); \(report.delivered) delivered at C, \(report.lost) lost, \
            over \(String(format: "%.3f", report.seconds)) s
            """,
            "scenario".padding(toLength: 34, withPad: " ", startingAt: 0)
                + "measured              target        ok",
        ]
        let rows: [(String, String, String, Bool?)] = [
            (
                "forwarded through the line", String(format: "%.0f msgs/s", report.messagesPerSecond), ">= 5000",
                report.meetsMessagesPerSecond
            ),
            (
                "CPU per message (whole line)", String(format: "%.1f µs", report.cpuMicrosecondsPerMessage), "<= 50",
                report.meetsCPUPerMessage
            ),
            ("latency A→C p50", String(format: "%.2f ms", report.latencyP50Milliseconds), "", nil),
            ("latency A→C p99", String(format: "%.2f ms", report.latencyP99Milliseconds), "", nil),
            ("latency A→C max", String(format: "%.2f ms", report.latencyMaxMilliseconds), "", nil),
        ]
        for (name, measured, target, ok) in rows {
            lines.append(
                name.padding(toLength: 34, withPad: " ", startingAt: 0)
                    + measured.padding(toLength: 22, withPad: " ", startingAt: 0)
                    + target.padding(toLength: 14, withPad: " ", startingAt: 0)
                    + (ok.map { $0 ? "yes" : "NO" } ?? "")
            )
        }
        lines.append(
            String(format: "  process CPU %.3f s for the whole line (three nodes and the bench)", report.cpuSeconds)
        )
        return lines.joined(separator: "\n")
    }
}

/// Arrival instants at C, by relay message id, written by the event reader.
private final class DeliveryTracker: Sendable {
    private struct State {
        var index: [[UInt8]: Int] = [:]
        var arrivals: [ContinuousClock.Instant?] = []
        var count = 0
    }

    private let state = Mutex(State())

    /// Expects `ids` (in publish order) from now on; forgets earlier ones.
    func expect(_ ids: [[UInt8]]) {
        self.state.withLock { state in
            state.index = Dictionary(ids.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })
            state.arrivals = Array(repeating: nil, count: ids.count)
            state.count = 0
        }
    }

    func delivered(_ id: [UInt8], at instant: ContinuousClock.Instant) {
        self.state.withLock { state in
            guard let index = state.index[id], state.arrivals[index] == nil else { return }
            state.arrivals[index] = instant
            state.count += 1
        }
    }

    var count: Int { self.state.withLock { $0.count } }

    func arrivals() -> [ContinuousClock.Instant?] { self.state.withLock { $0.arrivals } }
}
