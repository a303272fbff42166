import NIOCore
import Testing

@testable import Libp2p

/// The inbound connection rules without sockets: addresses, peers and idleness as values.
@Suite("inbound slots")
struct InboundSlotsTests {
    static let now = NIODeadline.uptimeNanoseconds(100_000_000_000)
    static let limits = InboundSlots.Limits(
        total: 4,
        perAddress: 2,
        protected: 2,
        evictableAfter: .seconds(30),
        countsLoopback: true
    )

    static func group(_ text: String) throws -> AddressGroup {
        AddressGroup(try SocketAddress(ipAddress: text, port: 1))
    }

    static func peer() throws -> PeerID { try PrivateKey.generate(.ed25519).peerID }

    /// Accepts and admits a connection, returning whether both steps let it in.
    static func connect(
        _ slots: inout InboundSlots,
        _ id: UInt64,
        from address: String,
        as peer: PeerID? = nil,
        idleSince: NIODeadline? = nil
    ) throws -> InboundSlots.Admission {
        if let refusal = slots.accept(id, from: try Self.group(address)) { return .refused(refusal) }
        let admission = slots.secure(id, as: try peer ?? Self.peer(), now: Self.now)
        let usage = ConnectionUsage(now: Self.now)
        usage.idleSince = idleSince
        _ = slots.established(id, usage: usage)
        return admission
    }

    @Test("one address holds at most its share; another address still gets in")
    func perAddress() throws {
        var slots = InboundSlots(limits: Self.limits, protectedPeers: [])
        #expect(try Self.connect(&slots, 1, from: "10.0.0.1") == .admitted)
        #expect(try Self.connect(&slots, 2, from: "10.0.0.1") == .admitted)
        guard case .refused(let error) = try Self.connect(&slots, 3, from: "10.0.0.1") else {
            Issue.record("a third connection from one address was admitted")
            return
        }
        #expect(error.code == .limitReached)
        #expect(try Self.connect(&slots, 4, from: "10.0.0.2") == .admitted)
        #expect(slots.count == 3)
        slots.release(1)
        #expect(try Self.connect(&slots, 5, from: "10.0.0.1") == .admitted)
    }

    @Test("handshakes in progress from one address are limited before the peer is known")
    func pendingHandshakes() throws {
        var slots = InboundSlots(limits: Self.limits, protectedPeers: [])
        let group = try Self.group("10.0.0.1")
        #expect(slots.accept(1, from: group) == nil)
        #expect(slots.accept(2, from: group) == nil)
        #expect(slots.accept(3, from: group)?.code == .limitReached)
        #expect(slots.accept(4, from: try Self.group("10.0.0.2")) == nil)
    }

    @Test("loopback addresses are exempt from the per-address share unless counted")
    func loopbackExempt() throws {
        var limits = Self.limits
        limits.countsLoopback = false
        var slots = InboundSlots(limits: limits, protectedPeers: [])
        for id in 1...4 { #expect(try Self.connect(&slots, UInt64(id), from: "127.0.0.1") == .admitted) }
        guard case .refused = try Self.connect(&slots, 5, from: "127.0.0.1") else {
            Issue.record("loopback peers passed the total")
            return
        }
        #expect(try Self.group("::1").isLoopback && Self.group("127.9.9.9").isLoopback)
        #expect(try !Self.group("::2").isLoopback && !Self.group("10.0.0.1").isLoopback)
        var counted = InboundSlots(limits: Self.limits, protectedPeers: [])
        for id in 1...2 { #expect(try Self.connect(&counted, UInt64(id), from: "127.0.0.1") == .admitted) }
        guard case .refused = try Self.connect(&counted, 3, from: "127.0.0.1") else {
            Issue.record("a counted loopback address passed its share")
            return
        }
    }

    @Test("IPv6 addresses count by /64; IPv4-mapped addresses as their IPv4 address")
    func addressGroups() throws {
        #expect(try Self.group("2001:db8:1:2::1") == Self.group("2001:db8:1:2:ffff::7"))
        #expect(try Self.group("2001:db8:1:2::1") != Self.group("2001:db8:1:3::1"))
        #expect(try Self.group("::ffff:10.0.0.1") == Self.group("10.0.0.1"))
        #expect(try Self.group("127.0.0.2") != Self.group("127.0.0.3"))
        #expect(try Self.group("2001:db8:1:2::1").description == "2001:db8:1:2::/64")
    }

    @Test("a protected peer gets in when the general slots are full; an unprotected one does not")
    func protectedPeers() throws {
        let friend = try Self.peer()
        var slots = InboundSlots(limits: Self.limits, protectedPeers: [friend])
        for id in 1...4 { #expect(try Self.connect(&slots, UInt64(id), from: "10.0.0.\(id)") == .admitted) }
        #expect(try Self.connect(&slots, 5, from: "10.0.1.1", as: friend) == .admitted)
        guard case .refused = try Self.connect(&slots, 6, from: "10.0.1.2") else {
            Issue.record("an unprotected peer took a protected slot")
            return
        }
        let late = try Self.peer()
        slots.protect(late)
        #expect(try Self.connect(&slots, 7, from: "10.0.1.3", as: late) == .admitted)
        // Every slot, protected ones included, is taken: the next socket is refused at once.
        #expect(slots.accept(8, from: try Self.group("10.0.1.4"))?.code == .limitReached)
    }

    @Test("a full host evicts the connection idle longest for a newcomer, never a busy or briefly idle one")
    func idleEviction() throws {
        var slots = InboundSlots(limits: Self.limits, protectedPeers: [])
        #expect(try Self.connect(&slots, 1, from: "10.0.0.1", idleSince: nil) == .admitted)
        #expect(try Self.connect(&slots, 2, from: "10.0.0.2", idleSince: Self.now - .seconds(40)) == .admitted)
        #expect(try Self.connect(&slots, 3, from: "10.0.0.3", idleSince: Self.now - .seconds(90)) == .admitted)
        #expect(try Self.connect(&slots, 4, from: "10.0.0.4", idleSince: Self.now - .seconds(10)) == .admitted)
        #expect(try Self.connect(&slots, 5, from: "10.0.0.5") == .evicting(3))
        #expect(try Self.connect(&slots, 6, from: "10.0.0.6") == .evicting(2))
        guard case .refused(let error) = try Self.connect(&slots, 7, from: "10.0.0.7") else {
            Issue.record("a busy or briefly idle connection was evicted")
            return
        }
        #expect(error.code == .limitReached)
        #expect(slots.count == 4)
    }
}
