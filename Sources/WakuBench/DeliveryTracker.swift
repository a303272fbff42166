internal import Synchronization

/// Arrival instants at the relay bench's node C, by relay message id, written by the event reader.
final class DeliveryTracker: Sendable {
    private struct State {
        /// Each expected id's position, by its first eight bytes (ids are SHA-256 digests): a
        /// byte array as key is hashed a byte at a time, a cost the bench would charge the nodes.
        var index: [UInt64: Int] = [:]
        var ids: [[UInt8]] = []
        var arrivals: [ContinuousClock.Instant?] = []
        var count = 0
    }

    private let state = Mutex(State())

    /// Expects `ids` (in publish order) from now on; forgets earlier ones.
    func expect(_ ids: [[UInt8]]) {
        self.state.withLock { state in
            state.index = Dictionary(
                ids.enumerated().map { (Self.prefix(of: $0.element), $0.offset) },
                uniquingKeysWith: { a, _ in a }
            )
            state.ids = ids
            state.arrivals = Array(repeating: nil, count: ids.count)
            state.count = 0
        }
    }

    /// Records the first arrival of an expected id; later ones and unexpected ids are ignored.
    func delivered(_ id: [UInt8], at instant: ContinuousClock.Instant) {
        self.state.withLock { state in
            guard let index = state.index[Self.prefix(of: id)], state.ids[index] == id, state.arrivals[index] == nil
            else { return }
            state.arrivals[index] = instant
            state.count += 1
        }
    }

    private static func prefix(of id: [UInt8]) -> UInt64 {
        id.withUnsafeBytes { raw in
            var value: UInt64 = 0
            for (shift, byte) in zip(stride(from: 0, to: 64, by: 8), raw.prefix(8)) {
                value |= UInt64(byte) << UInt64(shift)
            }
            return value
        }
    }

    /// Expected ids that have arrived.
    var count: Int { self.state.withLock { $0.count } }

    /// Each expected id's arrival, in the order given to ``expect(_:)``; nil for one not yet in.
    func arrivals() -> [ContinuousClock.Instant?] { self.state.withLock { $0.arrivals } }
}
