package import WakuCore

/// Finds hashes that XOR to zero, the attack XOR fingerprints cannot see.
package enum XorCancellation {
    /// Indexes into `hashes` of a non-empty subset whose XOR is zero (empty when none exists),
    /// found by Gaussian elimination over GF(2)^256: any 257 hashes are linearly dependent.
    package static func subset(of hashes: [MessageHash]) -> [Int] {
        var basis: [(vector: MessageHash, members: Set<Int>)] = []
        for (index, hash) in hashes.enumerated() {
            var vector = hash
            var members: Set<Int> = [index]
            for row in basis where Self.leadingBit(row.vector).map({ Self.bit(vector, $0) }) == true {
                vector ^= row.vector
                members.formSymmetricDifference(row.members)
            }
            if vector.isZero { return members.sorted() }
            basis.append((vector, members))
            basis.sort { (Self.leadingBit($0.vector) ?? 256) < (Self.leadingBit($1.vector) ?? 256) }
        }
        return []
    }

    /// Indexes of an even-sized non-empty subset whose XOR is zero (empty when none exists): the
    /// elimination runs on 257-bit vectors, the hash and a parity bit of 1, so a dependency has
    /// an even number of members. Split in two halves, it gives two equal-sized sets with equal
    /// XOR.
    package static func evenSubset(of hashes: [MessageHash]) -> [Int] {
        var basis: [(vector: MessageHash, parity: Bool, members: Set<Int>)] = []
        for (index, hash) in hashes.enumerated() {
            var vector = hash
            var parity = true
            var members: Set<Int> = [index]
            for row in basis {
                let pivot = Self.leadingBit(row.vector)
                let hits = pivot.map { Self.bit(vector, $0) } ?? parity
                guard hits else { continue }
                vector ^= row.vector
                parity = parity != row.parity
                members.formSymmetricDifference(row.members)
            }
            if vector.isZero && !parity { return members.sorted() }
            basis.append((vector, parity, members))
            basis.sort { (Self.leadingBit($0.vector) ?? 256) < (Self.leadingBit($1.vector) ?? 256) }
        }
        return []
    }

    private static func leadingBit(_ hash: MessageHash) -> Int? { (0..<256).first { Self.bit(hash, $0) } }

    private static func bit(_ hash: MessageHash, _ index: Int) -> Bool {
        hash[byte: index / 8] & (0x80 >> UInt8(index % 8)) != 0
    }
}
