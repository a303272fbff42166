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

    package init(number: Int, bytesReceived: Int) {
        self.number = number
        self.bytesReceived = bytesReceived
    }
}
