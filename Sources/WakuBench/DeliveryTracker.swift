internal import Synchronization

/// Arrival instants at the relay bench's node C, by relay message id, written by the event reader.
final class DeliveryTracker: Sendable {
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

    /// Records the first arrival of an expected id; later ones and unexpected ids are ignored.
    func delivered(_ id: [UInt8], at instant: ContinuousClock.Instant) {
        self.state.withLock { state in
            guard let index = state.index[id], state.arrivals[index] == nil else { return }
            state.arrivals[index] = instant
            state.count += 1
        }
    }

    /// Expected ids that have arrived.
    var count: Int { self.state.withLock { $0.count } }

    /// Each expected id's arrival, in the order given to ``expect(_:)``; nil for one not yet in.
    func arrivals() -> [ContinuousClock.Instant?] { self.state.withLock { $0.arrivals } }
}
