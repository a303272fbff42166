internal import Crypto

/// What the archive audit knows of a set of message hashes without listing them: how many there
/// are, their XOR, and their sum, word by word, modulo 2^64.
///
/// XOR alone is what Waku Sync compares, and it is linear over GF(2): from about 257 messages of
/// its choosing a peer can find, by Gaussian elimination, two different sets with the same XOR
/// (SECURITY.md, "fingerprints"). Here a forged set must also match the count and the four
/// wrapping sums at once, which elimination does not give. Every part is a group operation, so a
/// deletion is undone as exactly as an insertion is done, and buckets are kept up to date in the
/// same transaction as every insert and deletion.
///
/// The canonical bytes (``bytes``) are the count, the XOR and the sums, big-endian, 72 bytes:
/// both archive backends store them, and the audit protocol compares ``digest(byteCount:)`` of
/// them (PROTOCOLS.md §12).
package struct BucketFingerprint: Hashable, Sendable {
    /// The number of hashes in the set.
    package private(set) var count: Int64
    /// The XOR of the hashes.
    package private(set) var xor: MessageHash
    /// The hashes' big-endian words summed, each modulo 2^64 (kept in a `MessageHash` for its four
    /// words).
    package private(set) var sum: MessageHash

    /// The byte length of ``bytes``.
    package static let byteCount = 72
    /// The fingerprint of no hashes.
    package static let empty = BucketFingerprint(count: 0, xor: .zero, sum: .zero)

    package init(count: Int64, xor: MessageHash, sum: MessageHash) {
        self.count = count
        self.xor = xor
        self.sum = sum
    }

    /// The fingerprint of `hashes`.
    package init(of hashes: some Sequence<MessageHash>) {
        self = .empty
        for hash in hashes { self.insert(hash) }
    }

    /// Reads the 72 canonical bytes.
    package init(bytes: some Collection<UInt8>) throws(CodecError) {
        let array = Array(bytes)
        guard array.count == Self.byteCount else {
            throw CodecError(.invalidValue, at: 0, "a bucket fingerprint has 72 bytes, got \(array.count)")
        }
        self = array.withUnsafeBytes { raw in
            BucketFingerprint(
                count: Int64(bitPattern: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self))),
                xor: MessageHash(raw, at: 8),
                sum: MessageHash(raw, at: 40)
            )
        }
    }

    /// Whether the set is empty.
    package var isEmpty: Bool { self.count == 0 && self.xor == .zero && self.sum == .zero }

    /// Adds one hash.
    package mutating func insert(_ hash: MessageHash) {
        self.count &+= 1
        self.xor ^= hash
        self.sum = Self.add(self.sum, hash)
    }

    /// Takes away one hash that was added.
    package mutating func remove(_ hash: MessageHash) {
        self.count &-= 1
        self.xor ^= hash
        self.sum = Self.subtract(self.sum, hash)
    }

    /// Adds every hash of another set (a disjoint one, for the result to mean their union).
    package mutating func merge(_ other: BucketFingerprint) {
        self.count &+= other.count
        self.xor ^= other.xor
        self.sum = Self.add(self.sum, other.sum)
    }

    /// Takes away a subset's hashes.
    package mutating func subtract(_ other: BucketFingerprint) {
        self.count &-= other.count
        self.xor ^= other.xor
        self.sum = Self.subtract(self.sum, other.sum)
    }

    /// The 72 canonical bytes: count, XOR, sums, big-endian.
    package var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(Self.byteCount)
        withUnsafeBytes(of: UInt64(bitPattern: self.count).bigEndian) { out.append(contentsOf: $0) }
        self.xor.append(to: &out)
        self.sum.append(to: &out)
        return out
    }

    /// The first `byteCount` bytes (at most 32) of SHA-256 over ``bytes``: what the audit protocol
    /// sends instead of the 72 bytes. Two different fingerprints share a 16-byte digest only by a
    /// collision of SHA-256 truncated to 128 bits.
    package func digest(byteCount: Int) -> [UInt8] {
        SHA256.hash(data: self.bytes).withUnsafeBytes { Array($0.prefix(min(32, max(0, byteCount)))) }
    }

    private static func add(_ a: MessageHash, _ b: MessageHash) -> MessageHash {
        MessageHash(w0: a.w0 &+ b.w0, w1: a.w1 &+ b.w1, w2: a.w2 &+ b.w2, w3: a.w3 &+ b.w3)
    }

    private static func subtract(_ a: MessageHash, _ b: MessageHash) -> MessageHash {
        MessageHash(w0: a.w0 &- b.w0, w1: a.w1 &- b.w1, w2: a.w2 &- b.w2, w3: a.w3 &- b.w3)
    }
}
