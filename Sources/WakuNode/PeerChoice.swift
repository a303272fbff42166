internal import NodeEvents

/// Which peers a periodic or forced sync may pick (PROTOCOLS.md §6.3): connected, announcing
/// the reconciliation protocol, not paused, and not already in a session with us.
enum PeerChoice {
    static func eligible(_ peers: [PeerSnapshot], busy: Set<String>) -> [PeerSnapshot] {
        peers.filter { $0.state == .connected && $0.speaksSync && !$0.isPaused && !busy.contains($0.peerID) }
            .sorted { $0.peerID < $1.peerID }
    }

    /// One eligible peer at random, as nwaku's `selectPeer` does.
    static func random(
        among peers: [PeerSnapshot],
        busy: Set<String>,
        using generator: inout some RandomNumberGenerator
    ) -> String? {
        self.eligible(peers, busy: busy).randomElement(using: &generator)?.peerID
    }

    /// Store peers for Store Resume (the caller shuffles them to try one after the other).
    static func storePeers(among peers: [PeerSnapshot]) -> [String] {
        peers.filter { $0.state == .connected && $0.speaksStore }.map(\.peerID).sorted()
    }
}
