package import Libp2p
internal import Synchronization

/// The demo's relay links, each losing deliveries at one rate: whether a delivery is lost
/// depends only on the message, the two ends and the seed, so every copy of a message over a
/// link (the first one, a forward, an IWANT answer) shares its fate, as on a path that is down
/// for it. A node still gets the message over another link; it misses it only when every link
/// that carries it to the node drops it, and then Store Sync must repair the gap.
package final class LossyLinks: Sendable {
    package let loss: Double
    private let seed: UInt64
    private let drops = Atomic<Int>(0)

    package init(loss: Double, seed: UInt64) {
        self.loss = loss
        self.seed = seed
    }

    /// Deliveries dropped so far, over every link.
    package var dropped: Int { self.drops.load(ordering: .relaxed) }

    /// The relay delivery filter of demo node `number`: true takes the message from `peer`.
    package func filter(into number: Int) -> @Sendable (_ messageID: [UInt8], _ peer: PeerID) -> Bool {
        { messageID, peer in
            guard self.loss > 0 else { return true }
            var hash = FNV1a(self.seed ^ UInt64(number))
            hash.add(messageID)
            hash.add(peer.multihash)
            // The top 53 bits as a uniform fraction in [0, 1).
            let lost = Double(hash.value >> 11) / Double(1 << 53) < self.loss
            if lost { self.drops.add(1, ordering: .relaxed) }
            return !lost
        }
    }
}

/// 64-bit FNV-1a, started from a seed: cheap, and the same in every run for the same input.
private struct FNV1a {
    private(set) var value: UInt64

    init(_ seed: UInt64) {
        self.value = 0xcbf2_9ce4_8422_2325 ^ seed
    }

    mutating func add(_ bytes: [UInt8]) {
        for byte in bytes {
            self.value = (self.value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
    }
}
