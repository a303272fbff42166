/// How a node answers fingerprint ranges that differ (PROTOCOLS.md §4.9).
package struct SyncStrategy: Hashable, Sendable, CustomStringConvertible {
    package enum Kind: String, CaseIterable, Sendable {
        /// nwaku master's `SeqStorage.processPayload`, quirks included, for exact replays.
        case nwaku
        /// Ours: count-balanced splits sized by the observed density of differences.
        case balanced
    }

    package var kind: Kind
    /// A differing range with at most this many items is answered with an item set.
    package var itemSetThreshold: Int
    /// nwaku: the number of equal-time partitions. balanced: the fewest parts a split makes.
    package var partitions: Int

    package init(kind: Kind, itemSetThreshold: Int, partitions: Int) {
        precondition(itemSetThreshold >= 0, "the item-set threshold cannot be negative")
        precondition(partitions >= 2, "a split needs at least two partitions")
        self.kind = kind
        self.itemSetThreshold = itemSetThreshold
        self.partitions = partitions
    }

    /// nwaku's parameters: threshold 100, 8 partitions.
    package static let nwaku = SyncStrategy(kind: .nwaku, itemSetThreshold: 100, partitions: 8)
    /// Our default.
    package static let balanced = SyncStrategy(kind: .balanced, itemSetThreshold: 4, partitions: 3)

    /// The defaults of a kind.
    package static func defaults(for kind: Kind) -> SyncStrategy {
        switch kind {
        case .nwaku: .nwaku
        case .balanced: .balanced
        }
    }

    /// How topic lists select items under this strategy.
    package var topicMatching: TopicMatching { self.kind == .nwaku ? .nwaku : .strict }

    /// The interval a received range stands for.
    package func interval(lower: SyncID, upper: SyncID) -> SyncInterval {
        self.kind == .nwaku ? .closed(lower, upper) : .halfOpen(lower, upper)
    }

    package var description: String {
        "\(self.kind.rawValue) (threshold \(self.itemSetThreshold), partitions \(self.partitions))"
    }
}
