internal import NodeEvents

/// Which peers a periodic or forced sync, or Store Resume, may pick (PROTOCOLS.md §6.3). Generic
/// over the peer key so tests can use plain strings; the node passes ``PeerManager``'s table.
enum PeerChoice {
    /// Connected, announcing the reconciliation protocol, not paused, and not already in a
    /// session with us; sorted, so a seeded pick is repeatable.
    static func eligible<Peer: Hashable>(_ peers: [Peer: PeerSnapshot], busy: Set<Peer>) -> [Peer] {
        peers.filter { peer, snapshot in
            snapshot.state == .connected && snapshot.speaksSync && !snapshot.isPaused && !busy.contains(peer)
        }
        .sorted { $0.value.peerID < $1.value.peerID }.map(\.key)
    }

    /// Store peers for Store Resume (the caller shuffles them to try one after the other).
    static func storePeers<Peer: Hashable>(_ peers: [Peer: PeerSnapshot]) -> [Peer] {
        peers.filter { $0.value.state == .connected && $0.value.speaksStore }
            .sorted { $0.value.peerID < $1.value.peerID }.map(\.key)
    }
}
