package import NodeEvents

/// Waku Relay as the monitor saw it: the last status, the recent ones (for message rates), and
/// the last messages relay accepted. Bounded: a few seconds of statuses, a screenful of messages.
package struct RelayHistory: Equatable, Sendable {
    /// Statuses kept for rates: ten seconds of them at one a second.
    static let sampleLimit = 11
    /// Messages kept (newest first).
    package static let messageLimit = 20
    /// A rate whose newest status is older than this (nanoseconds) reads 0: relay stopped reporting.
    static let staleAfter: Int64 = 5 * Format.nanosecondsPerSecond

    /// The last status.
    package private(set) var status: RelayStatus?
    /// Messages relay accepted, newest first.
    package private(set) var messages: [Arrival] = []
    private var samples: [Sample] = []

    /// A message and when the monitor saw it (wall clock, nanoseconds).
    package struct Arrival: Equatable, Sendable {
        package var time: Int64
        package var message: RelayedMessage
    }

    /// Received counts per topic (and over all) at one status.
    private struct Sample: Equatable, Sendable {
        var time: Int64
        var total: Int
        var byTopic: [String: Int]
    }

    /// Nothing seen.
    package init() {}

    mutating func record(_ status: RelayStatus, at now: Int64) {
        self.status = status
        let byTopic = Dictionary(
            status.topics.map { ($0.pubsubTopic, $0.counts.received) },
            uniquingKeysWith: { first, _ in first }
        )
        self.samples.append(Sample(time: now, total: status.total.received, byTopic: byTopic))
        if self.samples.count > Self.sampleLimit { self.samples.removeFirst() }
    }

    mutating func record(_ message: RelayedMessage, at now: Int64) {
        self.messages.insert(Arrival(time: now, message: message), at: 0)
        if self.messages.count > Self.messageLimit { self.messages.removeLast() }
    }

    /// Messages received per second on `topic` (all topics when nil) over the statuses kept.
    package func rate(_ topic: String?, at now: Int64) -> Double {
        guard let first = self.samples.first, let last = self.samples.last, last.time > first.time,
            now - last.time <= Self.staleAfter
        else { return 0 }
        let grown =
            topic.map { (last.byTopic[$0] ?? 0) - (first.byTopic[$0] ?? 0) } ?? last.total - first.total
        return Double(max(0, grown)) * Double(Format.nanosecondsPerSecond) / Double(last.time - first.time)
    }
}
