package import NodeEvents

/// The transfer queues with one peer, with the samples needed for a completion rate.
package struct TransferTrack: Equatable, Sendable {
    /// The rate is the completed hashes over the last this many seconds.
    static let rateWindow: Int64 = 10 * Format.nanosecondsPerSecond
    private static let sampleLimit = 64

    private struct Sample: Equatable, Sendable {
        var time: Int64
        var completed: Int
    }

    /// The queues as last reported.
    package private(set) var queue: TransferQueue
    private var samples: [Sample]

    init(_ queue: TransferQueue, at now: Int64) {
        self.queue = queue
        self.samples = [Sample(time: now, completed: queue.received + queue.fetched)]
    }

    mutating func update(_ queue: TransferQueue, at now: Int64) {
        self.queue = queue
        self.samples.append(Sample(time: now, completed: queue.received + queue.fetched))
        // Keep one sample older than the window as its baseline, and a bounded number in all.
        let cutoff = now - Self.rateWindow
        if let firstInside = self.samples.firstIndex(where: { $0.time >= cutoff }), firstInside > 1 {
            self.samples.removeFirst(firstInside - 1)
        }
        if self.samples.count > Self.sampleLimit { self.samples.removeFirst(self.samples.count - Self.sampleLimit) }
    }

    /// Hashes we needed that are settled: received, fetched or given up on.
    package var settled: Int { self.queue.received + self.queue.fetched + self.queue.unavailable }

    /// Share of the hashes we needed that are settled, 0…1 (1 when nothing was needed).
    package var fraction: Double {
        let total = self.settled + self.queue.weNeedPending
        return total == 0 ? 1 : Double(self.settled) / Double(total)
    }

    /// Whether anything is still queued in either direction.
    package var hasPending: Bool { self.queue.weNeedPending > 0 || self.queue.theyNeedPending > 0 }

    /// Hashes received or fetched per second over the last ``rateWindow``; decays to zero when
    /// nothing arrives.
    package func rate(at now: Int64) -> Double {
        guard let latest = self.samples.last else { return 0 }
        let cutoff = now - Self.rateWindow
        let baseline = self.samples.last(where: { $0.time < cutoff }) ?? self.samples[0]
        let elapsed = now - baseline.time
        guard elapsed > 0 else { return 0 }
        return Double(latest.completed - baseline.completed) * Double(Format.nanosecondsPerSecond) / Double(elapsed)
    }
}
