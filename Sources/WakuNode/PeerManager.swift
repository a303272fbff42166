internal import Libp2p
internal import NodeEvents

/// Every peer the node knows: static peers (dialled at start, redialled with exponential backoff
/// when lost), and peers that dialled us. Emits a whole ``PeerSnapshot`` on every change, and
/// announces every change on ``changes`` for tasks waiting for a kind of peer.
actor PeerManager {
    /// A `--peer` address and its redial schedule.
    struct StaticPeer {
        /// Carries `/p2p/<id>` once the identity is known; dials then check it.
        var address: Multiaddr
        var peerID: PeerID?
        var attempts = 0
        /// Wall clock, nanoseconds; nil while connected or dialling.
        var nextAttempt: Int64? = 0
    }

    private(set) var peers: [PeerID: PeerSnapshot] = [:]
    private(set) var staticPeers: [StaticPeer] = []
    private let events: EventHub
    /// Announced on every change of any peer.
    nonisolated let changes = ChangeSignal()

    /// First redial delay, doubled per failure up to ``maximumBackoff``.
    static let initialBackoff = Duration.seconds(1)
    static let maximumBackoff = Duration.seconds(60)

    init(events: EventHub) {
        self.events = events
    }

    var snapshots: [PeerSnapshot] { self.peers.values.sorted { $0.peerID < $1.peerID } }

    func snapshot(of peer: PeerID) -> PeerSnapshot? { self.peers[peer] }

    func isPaused(_ peer: PeerID) -> Bool { self.peers[peer]?.isPaused ?? false }

    /// Whether `peer` is one of our static peers (they get reserved connection slots).
    func isStatic(_ peer: PeerID) -> Bool { self.staticPeers.contains { $0.peerID == peer } }

    /// Connected peers that serve Store, sorted (Store Resume tries them in random order).
    var storePeers: [PeerID] { PeerChoice.storePeers(self.peers) }

    /// Peers a sync may pick now, sorted.
    func syncCandidates(busy: Set<PeerID>) -> [PeerID] { PeerChoice.eligible(self.peers, busy: busy) }

    /// Adds a static peer (deduplicated by address).
    func addStatic(_ address: Multiaddr) {
        guard !self.staticPeers.contains(where: { $0.address == address }) else { return }
        self.staticPeers.append(StaticPeer(address: address, peerID: address.peerID))
        if let peer = address.peerID {
            self.change(peer, default: .connecting) {
                $0.isStatic = true
                $0.address = address.description
            }
        }
    }

    /// Static peers due for a dial at `now`; they are marked as being dialled.
    func dueDials(at now: Int64) -> [Multiaddr] {
        var due: [Multiaddr] = []
        for index in self.staticPeers.indices {
            guard let next = self.staticPeers[index].nextAttempt, next <= now else { continue }
            if let peer = self.staticPeers[index].peerID, self.peers[peer]?.state == .connected { continue }
            self.staticPeers[index].nextAttempt = nil
            due.append(self.staticPeers[index].address)
        }
        return due
    }

    /// A dial of a static address failed: back off exponentially.
    func dialFailed(_ address: Multiaddr, error: String, at now: Int64) {
        guard let index = self.staticPeers.firstIndex(where: { $0.address == address }) else { return }
        self.staticPeers[index].attempts += 1
        let delay = Self.backoff(after: self.staticPeers[index].attempts)
        let next = now + delay.nanoseconds
        self.staticPeers[index].nextAttempt = next
        if let peer = self.staticPeers[index].peerID {
            self.change(peer, default: .backingOff) {
                $0.state = .backingOff
                $0.lastError = error
                $0.reconnectAt = next
            }
        }
    }

    /// A dial of a static address succeeded. An address without `/p2p/` is pinned to the identity
    /// found now: later dials refuse any other peer at that address.
    func dialSucceeded(_ address: Multiaddr, peer: PeerID) {
        guard let index = self.staticPeers.firstIndex(where: { $0.address == address }) else { return }
        if address.peerID == nil {
            self.staticPeers[index].address = address.appending(peerID: peer)
        }
        self.staticPeers[index].peerID = peer
        self.staticPeers[index].attempts = 0
        let shown = self.staticPeers[index].address.description
        self.change(peer, default: .connected) {
            $0.isStatic = true
            // The static address, pinned: the connection event may have recorded it without /p2p/.
            $0.address = shown
        }
    }

    /// A connection to `peer` is up.
    func connected(_ peer: PeerID, address: Multiaddr?, direction: ConnectionDirection) {
        self.change(peer, default: .connected) {
            $0.state = .connected
            $0.direction = direction == .inbound ? .inbound : .outbound
            $0.reconnectAt = nil
            $0.lastError = nil
            if let address, !$0.isStatic { $0.address = address.description }
        }
    }

    /// The last connection to `peer` is gone; a static peer is redialled after a backoff.
    func disconnected(_ peer: PeerID, reason: String, at now: Int64) {
        var reconnectAt: Int64?
        if let index = self.staticPeers.firstIndex(where: { $0.peerID == peer }) {
            self.staticPeers[index].attempts += 1
            let next = now + Self.backoff(after: self.staticPeers[index].attempts).nanoseconds
            self.staticPeers[index].nextAttempt = next
            reconnectAt = next
        }
        self.change(peer, default: .disconnected) {
            $0.state = reconnectAt == nil ? .disconnected : .backingOff
            $0.reconnectAt = reconnectAt
            $0.lastError = reason
        }
        self.forgetOldDisconnected()
    }

    /// Peers kept that neither are static nor connected; beyond this the oldest-known go.
    static let disconnectedLimit = 256

    /// Keeps the peer table bounded when many inbound peers come and go.
    private func forgetOldDisconnected() {
        let gone = self.peers.filter { !$0.value.isStatic && $0.value.state == .disconnected }
        guard gone.count > Self.disconnectedLimit else { return }
        let oldest = gone.sorted { ($0.value.lastSyncAt ?? 0) < ($1.value.lastSyncAt ?? 0) }.prefix(
            gone.count - Self.disconnectedLimit
        )
        for (peer, _) in oldest { self.forget(peer) }
    }

    /// Any other change to a peer's snapshot.
    func change(_ peer: PeerID, default state: PeerSnapshot.State = .connected, _ update: (inout PeerSnapshot) -> Void)
    {
        var snapshot = self.peers[peer] ?? PeerSnapshot(peerID: peer.description, state: state)
        let before = snapshot
        update(&snapshot)
        guard snapshot != before || self.peers[peer] == nil else { return }
        self.peers[peer] = snapshot
        self.events.emit(.peerUpdated(snapshot))
        self.changes.notify()
    }

    /// Forgets a peer that is not static.
    func forget(_ peer: PeerID) {
        guard let snapshot = self.peers[peer], !snapshot.isStatic else { return }
        self.peers[peer] = nil
        self.events.emit(.peerRemoved(peer.description))
        self.changes.notify()
    }

    /// 1 s, 2 s, 4 s … up to 60 s.
    static func backoff(after attempts: Int) -> Duration {
        let factor = 1 << min(max(attempts - 1, 0), 6)
        return min(Self.initialBackoff * factor, Self.maximumBackoff)
    }
}
