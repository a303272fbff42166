/// A contiguous interval of ``SyncID``s.
///
/// nwaku looks ranges up with both bounds inclusive (PROTOCOLS.md §4.6); our `balanced` strategy
/// treats the upper bound as exclusive (§8 #5). Both read the same `(lower, upper)` from the wire.
package struct SyncInterval: Hashable, Sendable, CustomStringConvertible {
    package var lower: SyncID
    package var upper: SyncID
    package var includesUpper: Bool

    package init(lower: SyncID, upper: SyncID, includesUpper: Bool) {
        self.lower = lower
        self.upper = upper
        self.includesUpper = includesUpper
    }

    /// `[lower, upper)`.
    package static func halfOpen(_ lower: SyncID, _ upper: SyncID) -> SyncInterval {
        SyncInterval(lower: lower, upper: upper, includesUpper: false)
    }

    /// `[lower, upper]`.
    package static func closed(_ lower: SyncID, _ upper: SyncID) -> SyncInterval {
        SyncInterval(lower: lower, upper: upper, includesUpper: true)
    }

    /// Whether `id` lies inside.
    package func contains(_ id: SyncID) -> Bool {
        id >= self.lower && (self.includesUpper ? id <= self.upper : id < self.upper)
    }

    package var description: String {
        "[\(self.lower), \(self.upper)\(self.includesUpper ? "]" : ")")"
    }
}
