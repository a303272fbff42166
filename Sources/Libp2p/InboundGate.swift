internal import NIOCore
internal import Synchronization

/// The host's ``InboundSlots`` behind a lock, with the connections it may have to evict.
final class InboundGate: Sendable {
    private struct State {
        var slots: InboundSlots
        var connections: [UInt64: Connection] = [:]
        var nextID: UInt64 = 0
    }

    private let state: Mutex<State>

    init(limits: InboundSlots.Limits, protectedPeers: Set<PeerID>) {
        self.state = Mutex(State(slots: InboundSlots(limits: limits, protectedPeers: protectedPeers)))
    }

    /// A TCP connection was accepted from `address`: its id, or why it is refused.
    func accept(from address: SocketAddress?) -> Result<UInt64, Libp2pError> {
        self.state.withLock { state in
            state.nextID += 1
            if let refusal = state.slots.accept(state.nextID, from: AddressGroup(address)) { return .failure(refusal) }
            return .success(state.nextID)
        }
    }

    /// The handshake of connection `id` named `peer`: nil if it stays, or why it is refused.
    /// Closes the connection evicted to make room, if any.
    func secure(_ id: UInt64, as peer: PeerID) -> Libp2pError? {
        let (admission, victim) = self.state.withLock { state -> (InboundSlots.Admission, Connection?) in
            let admission = state.slots.secure(id, as: peer, now: .now())
            guard case .evicting(let victim) = admission else { return (admission, nil) }
            return (admission, state.connections.removeValue(forKey: victim))
        }
        victim?.close(
            reason: Libp2pError(.limitReached, "evicted: idle while all inbound connections were taken")
        )
        if case .refused(let error) = admission { return error }
        return nil
    }

    /// Connection `id` finished its upgrade.
    func established(_ id: UInt64, _ connection: Connection) {
        self.state.withLock { state in
            guard state.slots.established(id, usage: connection.usage) else { return }
            state.connections[id] = connection
        }
    }

    /// Connection `id` closed.
    func release(_ id: UInt64) {
        self.state.withLock { state in
            state.slots.release(id)
            state.connections[id] = nil
        }
    }

    func protect(_ peer: PeerID) {
        self.state.withLock { $0.slots.protect(peer) }
    }

    func unprotect(_ peer: PeerID) {
        self.state.withLock { $0.slots.unprotect(peer) }
    }

    /// Inbound connections holding a slot.
    var count: Int { self.state.withLock { $0.slots.count } }
}
