extension PeerID: Comparable {
    /// Orders by multihash bytes: an arbitrary but stable order, which deterministic components
    /// (the gossipsub router sorts its peers) need.
    package static func < (lhs: PeerID, rhs: PeerID) -> Bool {
        lhs.multihash.lexicographicallyPrecedes(rhs.multihash)
    }
}
