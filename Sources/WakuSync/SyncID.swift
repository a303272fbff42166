package import WakuCore

/// The sort key of the reconciliation set: timestamp first, message hash to break ties.
///
/// Matches the ordering in waku-org/specs `standards/core/sync.md`; nwaku compares the same two
/// fields in the same order, so ranges we send line up with theirs (PROTOCOLS.md §4.1).
package struct SyncID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Nanoseconds since the Unix epoch.
    package var timestamp: Int64
    package var hash: MessageHash

    package init(timestamp: Int64, hash: MessageHash) {
        self.timestamp = timestamp
        self.hash = hash
    }

    /// `(timestamp, zero hash)`: the bound nwaku's decoder reconstructs for every range bound
    /// whose time delta is not zero, and the bound every split of ours uses (PROTOCOLS.md §4.3).
    package static func bound(_ timestamp: Int64) -> SyncID {
        SyncID(timestamp: timestamp, hash: .zero)
    }

    package static func < (lhs: SyncID, rhs: SyncID) -> Bool {
        if lhs.timestamp != rhs.timestamp { return lhs.timestamp < rhs.timestamp }
        return lhs.hash < rhs.hash
    }

    package var description: String { "(\(self.timestamp), \(self.hash.shortHex))" }
}

/// The XOR of the hashes of a set of items; 32 zero bytes for the empty set (PROTOCOLS.md §4.1).
package typealias Fingerprint = MessageHash
