package import NodeEvents
internal import Synchronization

/// Fans node events out to every subscriber (TUI, headless lines, metrics), each through its own
/// bounded stream that keeps the newest events: a slow reader loses old events, it never slows
/// the node (ARCHITECTURE.md §2, STYLE.md §9).
package final class EventHub: Sendable {
    private let subscribers = Mutex<[Int: AsyncStream<NodeEvent>.Continuation]>([:])
    private let nextID = Atomic<Int>(0)
    /// The latest `started`, `nextSync` and `archive` events, replayed to late subscribers so
    /// every view has its header at once.
    private let latest = Mutex<[String: NodeEvent]>([:])

    package init() {}

    /// A new stream of every event from now on (preceded by the latest `started`, `nextSync` and
    /// `archive` events, if any).
    package func subscribe(buffering limit: Int = 4096) -> AsyncStream<NodeEvent> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: NodeEvent.self,
            bufferingPolicy: .bufferingNewest(limit)
        )
        let id = self.nextID.add(1, ordering: .relaxed).newValue
        for key in ["started", "nextSync", "archive"] {
            if let event = self.latest.withLock({ $0[key] }) { continuation.yield(event) }
        }
        self.subscribers.withLock { $0[id] = continuation }
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.removeValue(forKey: id) }
        }
        return stream
    }

    /// Delivers `event` to every subscriber without waiting.
    package func emit(_ event: NodeEvent) {
        switch event {
        case .started: self.latest.withLock { $0["started"] = event }
        case .nextSync: self.latest.withLock { $0["nextSync"] = event }
        case .archive: self.latest.withLock { $0["archive"] = event }
        default: break
        }
        for continuation in self.subscribers.withLock({ Array($0.values) }) {
            continuation.yield(event)
        }
    }

    /// Ends every subscriber's stream.
    package func finish() {
        for continuation in self.subscribers.withLock({ Array($0.values) }) {
            continuation.finish()
        }
    }
}
