/// Ranges of a payload counted by type.
package struct RangeCounts: Equatable, Sendable {
    package var skip = 0
    package var fingerprint = 0
    package var itemSet = 0
    /// Items carried in item sets.
    package var items = 0

    package init() {}

    package init(_ ranges: [SyncRange]) {
        for range in ranges {
            switch range.kind {
            case .skip: self.skip += 1
            case .fingerprint: self.fingerprint += 1
            case .itemSet(let set):
                self.itemSet += 1
                self.items += set.items.count
            }
        }
    }

    package var total: Int { self.skip + self.fingerprint + self.itemSet }
}

/// The bounds and shape of one range, without its fingerprint or items: enough to show a round.
package struct RangeOutline: Equatable, Sendable {
    package var lower: SyncID
    package var upper: SyncID
    /// `skip`, `fingerprint` or `itemset`.
    package var kind: String
    package var items: Int
    package var isReconciled: Bool

    package init(_ range: SyncRange) {
        self.lower = range.lower
        self.upper = range.upper
        self.kind = range.kind.name
        if case .itemSet(let set) = range.kind {
            self.items = set.items.count
            self.isReconciled = set.isReconciled
        } else {
            self.items = 0
            self.isReconciled = false
        }
    }
}

/// What one round of a session did, from one side: the payload received and the reply.
package struct RoundReport: Equatable, Sendable {
    /// 1 for the first payload received.
    package var number: Int
    package var bytesReceived: Int
    package var bytesSent = 0
    package var rangesReceived = RangeCounts()
    package var rangesSent = RangeCounts()
    package var itemsCompared = 0
    package var newHashesToSend = 0
    package var newHashesToReceive = 0
    /// The first ranges of each payload, at most ``outlineLimit`` per direction.
    package var receivedOutline: [RangeOutline] = []
    package var sentOutline: [RangeOutline] = []

    /// How many ranges per payload a report outlines.
    package static let outlineLimit = 256

    package init(number: Int, bytesReceived: Int) {
        self.number = number
        self.bytesReceived = bytesReceived
    }
}
