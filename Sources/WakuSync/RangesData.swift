internal import WakuCore

/// One reconciliation payload: the sender's topic lists and contiguous, ascending ranges
/// (PROTOCOLS.md §4.2). nwaku calls it `RangesData`.
package struct RangesData: Equatable, Sendable {
    package var pubsubTopics: [String]
    package var contentTopics: [String]
    package var ranges: [SyncRange]

    package init(pubsubTopics: [String] = [], contentTopics: [String] = [], ranges: [SyncRange] = []) {
        self.pubsubTopics = pubsubTopics
        self.contentTopics = contentTopics
        self.ranges = ranges
    }

    /// True when the payload asks nothing more of the receiver: no ranges, or only Skip ranges.
    /// Either side stops on receiving such a payload (PROTOCOLS.md §4.8).
    package var isFinal: Bool { self.ranges.allSatisfy { $0.kind == .skip } }
}

/// A range of a payload: its bounds and what it carries.
package struct SyncRange: Equatable, Sendable {
    package var lower: SyncID
    package var upper: SyncID
    package var kind: Kind

    package init(lower: SyncID, upper: SyncID, kind: Kind) {
        self.lower = lower
        self.upper = upper
        self.kind = kind
    }

    /// The three range types of the wire format.
    package enum Kind: Equatable, Sendable {
        case skip
        case fingerprint(Fingerprint)
        case itemSet(ItemSet)

        /// The wire code: 0 Skip, 1 Fingerprint, 2 ItemSet.
        package var code: UInt8 {
            switch self {
            case .skip: 0
            case .fingerprint: 1
            case .itemSet: 2
            }
        }

        package var name: String {
            switch self {
            case .skip: "skip"
            case .fingerprint: "fingerprint"
            case .itemSet: "itemset"
            }
        }
    }
}

/// The items of a range, and whether the sender already compared them with the receiver's.
package struct ItemSet: Equatable, Sendable {
    package var items: [SyncID]
    /// Set on an answer to an item set: the receiver computes the difference and replies Skip.
    package var isReconciled: Bool

    package init(items: [SyncID], isReconciled: Bool) {
        self.items = items
        self.isReconciled = isReconciled
    }
}
