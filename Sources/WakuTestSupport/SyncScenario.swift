package import WakuCore
package import WakuSync

/// Two item sets for a reconciliation test, and the differences a correct session must find.
package struct SyncScenario {
    package var start: Int64
    package var end: Int64
    package var initiator = SyncIndex()
    package var responder = SyncIndex()
    /// Items only the initiator holds, inside the window and the agreed topic scope.
    package var onlyInitiator: Set<MessageHash> = []
    /// Items only the responder holds, inside the window and the agreed topic scope.
    package var onlyResponder: Set<MessageHash> = []

    /// How items are spread.
    package struct Shape {
        package var itemsPerSide: Int
        package var differing: Double
        /// Distinct timestamps items are drawn from; small values force equal timestamps.
        package var distinctTimestamps: Int64
        /// Fraction of extra items placed outside the window (before, at or after it).
        package var outside: Double = 0
        package var pubsubTopics = ["/waku/2/rs/1/0"]
        package var contentTopics = ["/app/1/chat/proto"]
        /// Which topics the session scope keeps; nil keeps all.
        package var scopedPubsub: Set<String>?
        package var scopedContent: Set<String>?

        package init(itemsPerSide: Int, differing: Double, distinctTimestamps: Int64 = 3_600_000_000_000) {
            self.itemsPerSide = itemsPerSide
            self.differing = differing
            self.distinctTimestamps = distinctTimestamps
        }
    }

    package init(_ shape: Shape, seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        self.start = 1_700_000_000_000_000_000
        self.end = self.start + 3_600_000_000_000
        let step = max(1, (self.end - self.start) / shape.distinctTimestamps)
        let unique = Int(Double(shape.itemsPerSide) * shape.differing)
        let shared = shape.itemsPerSide - unique
        func item() -> (SyncID, String, String) {
            let slot = Int64(generator.next() % UInt64(shape.distinctTimestamps))
            let pubsub = shape.pubsubTopics[Int(generator.next() % UInt64(shape.pubsubTopics.count))]
            let content = shape.contentTopics[Int(generator.next() % UInt64(shape.contentTopics.count))]
            return (SyncID(timestamp: self.start + slot * step, hash: generator.nextHash()), pubsub, content)
        }
        func inScope(_ entry: (SyncID, String, String)) -> Bool {
            entry.0.timestamp >= self.start && entry.0.timestamp < self.end
                && (shape.scopedPubsub?.contains(entry.1) ?? true) && (shape.scopedContent?.contains(entry.2) ?? true)
        }
        for _ in 0..<shared {
            let entry = item()
            self.initiator.insert(entry.0, pubsubTopic: entry.1, contentTopic: entry.2)
            self.responder.insert(entry.0, pubsubTopic: entry.1, contentTopic: entry.2)
        }
        for side in 0..<2 {
            for _ in 0..<unique {
                let entry = item()
                let index = side == 0 ? self.initiator : self.responder
                guard index.insert(entry.0, pubsubTopic: entry.1, contentTopic: entry.2), inScope(entry) else {
                    continue
                }
                if side == 0 {
                    self.onlyInitiator.insert(entry.0.hash)
                } else {
                    self.onlyResponder.insert(entry.0.hash)
                }
            }
        }
        let outsiders = Int(Double(shape.itemsPerSide) * shape.outside)
        for number in 0..<outsiders {
            var entry = item()
            let offsets: [Int64] = [-1, -1_000_000_000, 0, 1, 60_000_000_000]
            let offset = offsets[number % offsets.count]
            entry.0.timestamp = offset < 0 ? self.start + offset : self.end + offset
            let index = number % 2 == 0 ? self.initiator : self.responder
            index.insert(entry.0, pubsubTopic: entry.1, contentTopic: entry.2)
        }
    }
}
