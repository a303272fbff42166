internal import Synchronization

/// A number of bytes shared by everything of one kind the node holds for its peers at once
/// (reconciliation frames, Store responses): a holder reserves before it allocates and releases
/// when done, and a reservation that does not fit is refused, never waited for.
final class ByteBudget: Sendable {
    /// What the budget is for, in the refusal's words.
    let name: String
    let limit: Int
    private let used = Mutex(0)

    init(_ name: String, limit: Int) {
        self.name = name
        self.limit = limit
    }

    /// Bytes reserved now.
    var reserved: Int { self.used.withLock { $0 } }

    /// Reserves `bytes`, or throws ``BudgetExceeded`` when they do not fit with `room` bytes
    /// still free afterwards (for what holds its bytes only briefly, beside what keeps them).
    func reserve(_ bytes: Int, leaving room: Int = 0) throws(BudgetExceeded) {
        let fits = self.used.withLock { used in
            guard bytes <= self.limit - used - room else { return false }
            used += bytes
            return true
        }
        guard fits else { throw BudgetExceeded(budget: self.name, bytes: bytes, limit: self.limit) }
    }

    /// Gives back bytes reserved earlier.
    func release(_ bytes: Int) {
        self.used.withLock { $0 -= bytes }
    }

    /// Runs `body` with `bytes` reserved, releasing them afterwards whatever happens.
    func withReservation<T>(_ bytes: Int, _ body: () async throws -> T) async throws -> T {
        try self.reserve(bytes)
        defer { self.release(bytes) }
        return try await body()
    }
}

/// A reservation did not fit its budget.
struct BudgetExceeded: Error, CustomStringConvertible {
    let budget: String
    let bytes: Int
    let limit: Int

    var description: String {
        "the \(self.budget) budget of \(self.limit) bytes cannot take \(self.bytes) more bytes now"
    }
}
