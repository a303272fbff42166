internal import NIOCore

/// The part of a peer's IP address that inbound limits count by: the whole IPv4 address, or the
/// /64 prefix of an IPv6 one (one subscriber usually holds a whole /64).
struct AddressGroup: Hashable, Sendable, CustomStringConvertible {
    private let bytes: [UInt8]
    /// Whether the address is a loopback one (127.0.0.0/8, ::1): a peer on this machine.
    let isLoopback: Bool

    /// The group of a socket's remote address; one group for all addresses that are not IP.
    init(_ address: SocketAddress?) {
        guard let text = address?.ipAddress else {
            self.bytes = []
            self.isLoopback = false
            return
        }
        if let ipv4 = IPAddressText.ipv4(text) {
            self.bytes = ipv4
        } else if let ipv6 = IPAddressText.ipv6(text) {
            // IPv4-mapped (::ffff:a.b.c.d) counts as its IPv4 address.
            let isMapped = ipv6.prefix(10).allSatisfy { $0 == 0 } && ipv6[10] == 0xff && ipv6[11] == 0xff
            self.bytes = isMapped ? Array(ipv6.suffix(4)) : Array(ipv6.prefix(8))
            if !isMapped {
                self.isLoopback = ipv6 == [UInt8](repeating: 0, count: 15) + [1]
                return
            }
        } else {
            self.bytes = []
        }
        self.isLoopback = self.bytes.count == 4 && self.bytes[0] == 127
    }

    var description: String {
        switch self.bytes.count {
        case 4: IPAddressText.text(self.bytes)
        case 8: IPAddressText.text(self.bytes + [UInt8](repeating: 0, count: 8)) + "/64"
        default: "a non-IP address"
        }
    }
}

/// Which inbound connections a host keeps, so that no single address, and no crowd of idle
/// connections, can lock honest peers out. Pure: the host keeps one behind a lock
/// (``InboundGate``) and passes the time in.
///
/// Loopback addresses are exempt from the per-address share unless `countsLoopback`.
///
/// - Before the handshake (only the address is known) a connection is refused when all slots,
///   general and protected, are taken by connections, or when its address group already has
///   `perAddress` handshakes in progress.
/// - After the Noise handshake names the peer, a protected peer always stays (its reserve is
///   the `protected` slots beyond `total`). Any other peer stays if its address group holds fewer
///   than `perAddress` admitted connections and a general slot is free; when none is, the
///   connection that has been without streams longest, if for at least `evictableAfter`, is
///   evicted for it; otherwise it is refused.
struct InboundSlots {
    /// The limits, from ``HostConfiguration``.
    struct Limits {
        /// General slots: inbound connections of unprotected peers.
        var total: Int
        /// Connections (and, separately, handshakes in progress) per address group.
        var perAddress: Int
        /// Slots beyond `total` that only protected peers take.
        var protected: Int
        /// How long a connection must have been without streams before a newcomer may evict it.
        var evictableAfter: TimeAmount
        /// Whether loopback addresses are held to `perAddress` like others.
        var countsLoopback: Bool
    }

    /// What becomes of a connection whose peer is known.
    enum Admission: Equatable {
        case admitted
        /// Admitted in the slot of that connection, which must be closed.
        case evicting(UInt64)
        case refused(Libp2pError)
    }

    private struct Entry {
        let group: AddressGroup
        var peer: PeerID?
        var isProtected = false
        var isEvicted = false
        var usage: ConnectionUsage?

        /// An unprotected peer's connection past its handshake, not being evicted.
        var isGeneral: Bool { self.peer != nil && !self.isProtected && !self.isEvicted }
    }

    private let limits: Limits
    private(set) var protectedPeers: Set<PeerID>
    private var entries: [UInt64: Entry] = [:]

    init(limits: Limits, protectedPeers: Set<PeerID>) {
        self.limits = limits
        self.protectedPeers = protectedPeers
    }

    /// Connections holding a slot (evicted ones are on their way out).
    var count: Int { self.entries.values.count { !$0.isEvicted } }

    /// A connection `id` from `group` was accepted; nil lets its upgrade start, an error refuses it.
    mutating func accept(_ id: UInt64, from group: AddressGroup) -> Libp2pError? {
        let live = self.entries.values.filter { !$0.isEvicted }
        guard live.count < self.limits.total + self.limits.protected else {
            return Libp2pError(.limitReached, "\(live.count) inbound connections already open")
        }
        let handshakes = live.count { $0.group == group && $0.peer == nil }
        guard handshakes < self.limits.perAddress || self.isExempt(group) else {
            return Libp2pError(.limitReached, "\(handshakes) handshakes from \(group) already in progress")
        }
        self.entries[id] = Entry(group: group)
        return nil
    }

    /// The handshake of connection `id` named `peer`; decides whether it stays.
    mutating func secure(_ id: UInt64, as peer: PeerID, now: NIODeadline) -> Admission {
        guard let entry = self.entries[id] else {
            return .refused(Libp2pError(.connectionClosed, "connection already closed"))
        }
        if self.protectedPeers.contains(peer) {
            self.entries[id]?.peer = peer
            self.entries[id]?.isProtected = true
            return .admitted
        }
        let general = self.entries.filter { $0.key != id && $0.value.isGeneral }
        let fromGroup = general.values.count { $0.group == entry.group }
        guard fromGroup < self.limits.perAddress || self.isExempt(entry.group) else {
            self.entries[id] = nil
            return .refused(Libp2pError(.limitReached, "\(fromGroup) connections from \(entry.group) already open"))
        }
        if general.count < self.limits.total {
            self.entries[id]?.peer = peer
            return .admitted
        }
        let idle = general.compactMap { id, entry -> (UInt64, NIODeadline)? in
            guard let since = entry.usage?.idleSince, now - since >= self.limits.evictableAfter else { return nil }
            return (id, since)
        }
        guard let victim = idle.min(by: { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }) else {
            self.entries[id] = nil
            return .refused(Libp2pError(.limitReached, "all \(self.limits.total) inbound connections are busy"))
        }
        self.entries[victim.0]?.isEvicted = true
        self.entries[id]?.peer = peer
        return .evicting(victim.0)
    }

    /// Connection `id` finished its upgrade; `usage` tells whether it is idle. False when it
    /// closed before.
    mutating func established(_ id: UInt64, usage: ConnectionUsage) -> Bool {
        guard self.entries[id] != nil else { return false }
        self.entries[id]?.usage = usage
        return true
    }

    /// Connection `id` closed.
    mutating func release(_ id: UInt64) {
        self.entries[id] = nil
    }

    /// Lets `peer` in even when the general slots are full (from its next connection on).
    mutating func protect(_ peer: PeerID) {
        self.protectedPeers.insert(peer)
    }

    /// Takes `peer`'s protection away (its open connections keep their slots).
    mutating func unprotect(_ peer: PeerID) {
        self.protectedPeers.remove(peer)
    }

    /// Peers on this machine are outside the threat model (SECURITY.md), and the demo runs up to
    /// 32 nodes on 127.0.0.1; tests count loopback addresses to use 127.0.0.x as distinct peers.
    private func isExempt(_ group: AddressGroup) -> Bool {
        group.isLoopback && !self.limits.countsLoopback
    }
}
