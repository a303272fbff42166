internal import Foundation
internal import NodeEvents
internal import WakuCore
internal import WakuNode

/// Messages through a line of three relay nodes A–B–C on loopback (`wakusync bench relay`):
/// messages/s, CPU per message and latency A→C.
package struct RelayBenchmark {
    static let topic = "/waku/2/rs/0/0"

    /// Messages published at A.
    package var messages: Int
    /// Payload bytes per message (at least 8: each starts with its number).
    package var payloadSize: Int
    /// Publish at this many messages/s; nil: as fast as the window allows.
    package var rate: Double?
    /// At most this many messages published and not yet delivered at C.
    package var window: Int
    /// Seconds without a delivery at C after which the rest count as lost.
    package var stallSeconds: Double

    /// A run with these settings (the command checks their ranges).
    package init(messages: Int, payloadSize: Int, rate: Double?, window: Int, stallSeconds: Double) {
        self.messages = messages
        self.payloadSize = payloadSize
        self.rate = rate
        self.window = window
        self.stallSeconds = stallSeconds
    }

    /// Starts the three nodes, measures, and stops them.
    package func run() async throws -> Report {
        try await ScratchDirectory.with(prefix: "wakusync-bench-relay") { base in
            let nodes = try ["relay-a", "relay-b", "relay-c"].map { try LoopbackNode.make($0, in: base, relay: true) }
            return try await withThrowingTaskGroup(of: Void.self) { group in
                for node in nodes { group.addTask { try await node.run() } }
                defer { for node in nodes { node.stop() } }
                for node in nodes { try await node.waitUntilStarted() }
                let report = try await self.measure(nodes[0], nodes[1], nodes[2], group: &group)
                for node in nodes { node.stop() }
                try await group.waitForAll()
                return report
            }
        }
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
        let cpuStart = Measurement.processCPUTime()
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
        let cpu = Measurement.processCPUTime() - cpuStart
        let end = arrivals.compactMap { $0 }.max() ?? .now
        var latencies: [Double] = []
        for (publish, arrival) in zip(published, arrivals) {
            guard let publish, let arrival else { continue }
            latencies.append((arrival - publish).milliseconds)
        }
        return Report(
            settings: self,
            published: sent,
            latencies: SortedSamples(latencies),
            seconds: (end - start).seconds,
            cpuSeconds: cpu.seconds
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
        throw BenchFailure("no warm-up message reached C within 30 s: the mesh did not form")
    }

    /// Distinct messages, with their relay message ids, stamped a microsecond apart from now on
    /// as a publisher stamps each message when it sends it: archives index messages by time, and
    /// one shared timestamp would order that index by hash, a pattern live traffic never has.
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
            let message = WakuMessage(
                payload: payload,
                contentTopic: "/bench/1/relay/proto",
                timestamp: now + Int64(number) * 1_000
            )
            return (message, RelayMessageID.of(message.serialized()))
        }
    }
}
