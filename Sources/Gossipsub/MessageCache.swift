/// Validated messages of the last `historyLength` heartbeats, for IWANT answers and IHAVE gossip
/// (nim-libp2p's `MCache`), bounded by count and bytes.
///
/// Messages are stored as we forward them (only `data` and `topic`). ``shift()`` runs once per
/// heartbeat and forgets the oldest heartbeat's messages.
struct MessageCache: Sendable {
    private struct Entry: Sendable {
        var id: [UInt8]
        var topic: String
    }

    private var messages: [MessageKey: RPC.Message] = [:]
    /// One queue per heartbeat; `windows[current]` receives new messages.
    private var windows: [FIFOQueue<Entry>]
    private var current = 0
    private let gossipWindows: Int
    private let capacity: Int
    private let maxBytes: Int
    private(set) var byteCount = 0

    init(historyLength: Int, historyGossip: Int, capacity: Int, maxBytes: Int) {
        self.windows = Array(repeating: FIFOQueue(), count: max(historyLength, 1))
        self.gossipWindows = max(min(historyGossip, historyLength), 0)
        self.capacity = max(capacity, 1)
        self.maxBytes = maxBytes
    }

    var count: Int { self.messages.count }

    func message(for id: [UInt8]) -> RPC.Message? { self.messages[MessageKey(id)] }

    /// Stores a message unless its id is cached already; evicts the oldest messages to make room.
    mutating func put(_ message: RPC.Message, id: [UInt8]) {
        let key = MessageKey(id)
        guard self.messages[key] == nil, message.data.count <= self.maxBytes else { return }
        while self.messages.count >= self.capacity || self.byteCount + message.data.count > self.maxBytes {
            guard self.evictOldest() else { break }
        }
        self.messages[key] = message
        self.byteCount += message.data.count
        self.windows[self.current].append(Entry(id: id, topic: message.topic))
    }

    /// Ids of `topic` from the last `historyGossip` heartbeats, newest heartbeat first.
    func gossipIDs(for topic: String) -> [[UInt8]] {
        var ids: [[UInt8]] = []
        for age in 0..<self.gossipWindows {
            let index = (self.current - age + self.windows.count) % self.windows.count
            for entry in self.windows[index].elements
            where entry.topic == topic && self.messages[MessageKey(entry.id)] != nil {
                ids.append(entry.id)
            }
        }
        return ids
    }

    /// Starts a new heartbeat's window, dropping the messages of the oldest one.
    mutating func shift() {
        self.current = (self.current + 1) % self.windows.count
        while let entry = self.windows[self.current].popFirst() {
            self.remove(entry.id)
        }
    }

    private mutating func evictOldest() -> Bool {
        for age in 1...self.windows.count {
            let index = (self.current + age) % self.windows.count
            if let entry = self.windows[index].popFirst() {
                self.remove(entry.id)
                return true
            }
        }
        return false
    }

    private mutating func remove(_ id: [UInt8]) {
        if let message = self.messages.removeValue(forKey: MessageKey(id)) {
            self.byteCount -= message.data.count
        }
    }
}
