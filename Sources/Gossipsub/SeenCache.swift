/// Message ids seen recently, each kept for a fixed time (nim-libp2p's `TimedCache`), and at most
/// `capacity` of them.
///
/// An id is marked before validation (PROTOCOLS.md §10.3), so a rejected message stays seen.
/// When full, the oldest id goes first: a flood of distinct ids can only shorten how long ids are
/// remembered, never grow memory.
struct SeenCache: Sendable {
    private struct Entry: Sendable {
        var id: MessageKey
        var expiry: ContinuousClock.Instant
    }

    private var expiries: [MessageKey: ContinuousClock.Instant] = [:]
    private var order = FIFOQueue<Entry>()
    let ttl: Duration
    let capacity: Int

    init(ttl: Duration, capacity: Int) {
        self.ttl = ttl
        self.capacity = max(capacity, 1)
    }

    var count: Int { self.expiries.count }

    func contains(_ id: [UInt8], at now: ContinuousClock.Instant) -> Bool {
        guard let expiry = self.expiries[MessageKey(id)] else { return false }
        return expiry > now
    }

    /// Marks `id` as seen; returns true when it was already seen (and leaves its expiry alone).
    mutating func insert(_ id: [UInt8], at now: ContinuousClock.Instant) -> Bool {
        self.expire(at: now)
        if self.contains(id, at: now) { return true }
        while self.expiries.count >= self.capacity, let oldest = self.order.popFirst() {
            self.removeIfCurrent(oldest)
        }
        let expiry = now + self.ttl
        let key = MessageKey(id)
        self.expiries[key] = expiry
        self.order.append(Entry(id: key, expiry: expiry))
        return false
    }

    /// Drops every id whose time is up.
    mutating func expire(at now: ContinuousClock.Instant) {
        while let oldest = self.order.first, oldest.expiry <= now {
            _ = self.order.popFirst()
            self.removeIfCurrent(oldest)
        }
    }

    private mutating func removeIfCurrent(_ entry: Entry) {
        if self.expiries[entry.id] == entry.expiry {
            self.expiries[entry.id] = nil
        }
    }
}
