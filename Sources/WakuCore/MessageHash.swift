/// A 32-byte value compared as unsigned bytes (memcmp order): the deterministic message hash,
/// and, XOR-combined, a reconciliation fingerprint.
///
/// Stored as four big-endian 64-bit words so that comparing the words in order is the same as
/// comparing the bytes, and XOR is four machine operations (PERFORMANCE.md §5).
package struct MessageHash: Hashable, Comparable, Sendable, CustomStringConvertible {
    package var w0: UInt64
    package var w1: UInt64
    package var w2: UInt64
    package var w3: UInt64

    /// The byte length of a hash on the wire.
    package static let byteCount = 32
    /// All zero bytes: the empty fingerprint and the hash nwaku puts in every lower bound.
    package static let zero = MessageHash(w0: 0, w1: 0, w2: 0, w3: 0)
    /// All 0xff bytes: the upper-bound hash of an initiator's first range.
    package static let max = MessageHash(w0: .max, w1: .max, w2: .max, w3: .max)

    package init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        self.w0 = w0
        self.w1 = w1
        self.w2 = w2
        self.w3 = w3
    }

    /// Reads 32 bytes starting at `offset`; the caller guarantees they are there.
    package init(_ bytes: UnsafeRawBufferPointer, at offset: Int) {
        precondition(offset >= 0 && offset + 32 <= bytes.count, "hash read out of bounds")
        self.w0 = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        self.w1 = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
        self.w2 = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self))
        self.w3 = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self))
    }

    /// A hash from exactly 32 bytes.
    package init(bytes: some Collection<UInt8>) throws(CodecError) {
        let array = Array(bytes)
        guard array.count == 32 else {
            throw CodecError(.invalidValue, at: 0, "a message hash has 32 bytes, got \(array.count)")
        }
        self = array.withUnsafeBytes { MessageHash($0, at: 0) }
    }

    /// A hash from 64 hex digits.
    package init(hex: some StringProtocol) throws(CodecError) {
        let bytes = try Hex.decode(hex)
        guard bytes.count == 32 else {
            throw CodecError(.invalidValue, at: 0, "a message hash has 64 hex digits, got \(hex.utf8.count)")
        }
        try self.init(bytes: bytes)
    }

    /// The 32 bytes, most significant first.
    package var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(32)
        self.append(to: &out)
        return out
    }

    /// Appends the 32 bytes to `buffer`.
    package func append(to buffer: inout [UInt8]) {
        withUnsafeBytes(of: self.w0.bigEndian) { buffer.append(contentsOf: $0) }
        withUnsafeBytes(of: self.w1.bigEndian) { buffer.append(contentsOf: $0) }
        withUnsafeBytes(of: self.w2.bigEndian) { buffer.append(contentsOf: $0) }
        withUnsafeBytes(of: self.w3.bigEndian) { buffer.append(contentsOf: $0) }
    }

    /// Built in place: relay reports a hash with every message, and going through ``bytes`` cost
    /// four allocations.
    package var hex: String {
        String(unsafeUninitializedCapacity: 64) { text in
            Self.writeHex(self.w0, into: text, at: 0)
            Self.writeHex(self.w1, into: text, at: 16)
            Self.writeHex(self.w2, into: text, at: 32)
            Self.writeHex(self.w3, into: text, at: 48)
            return 64
        }
    }

    private static func writeHex(_ word: UInt64, into text: UnsafeMutableBufferPointer<UInt8>, at start: Int) {
        for nibble in 0..<16 {
            text[start + nibble] = Hex.digit(UInt8(truncatingIfNeeded: word >> UInt64(60 - 4 * nibble)))
        }
    }

    package var description: String { self.hex }

    /// The first bytes in hex followed by an ellipsis, for tables and log lines.
    package var shortHex: String { String(self.hex.prefix(12)) }

    package var isZero: Bool { (self.w0 | self.w1 | self.w2 | self.w3) == 0 }

    package static func < (lhs: MessageHash, rhs: MessageHash) -> Bool {
        if lhs.w0 != rhs.w0 { return lhs.w0 < rhs.w0 }
        if lhs.w1 != rhs.w1 { return lhs.w1 < rhs.w1 }
        if lhs.w2 != rhs.w2 { return lhs.w2 < rhs.w2 }
        return lhs.w3 < rhs.w3
    }

    package static func ^ (lhs: MessageHash, rhs: MessageHash) -> MessageHash {
        MessageHash(w0: lhs.w0 ^ rhs.w0, w1: lhs.w1 ^ rhs.w1, w2: lhs.w2 ^ rhs.w2, w3: lhs.w3 ^ rhs.w3)
    }

    package static func ^= (lhs: inout MessageHash, rhs: MessageHash) {
        lhs.w0 ^= rhs.w0
        lhs.w1 ^= rhs.w1
        lhs.w2 ^= rhs.w2
        lhs.w3 ^= rhs.w3
    }

    /// The byte at `index` (0 = most significant).
    package subscript(byte index: Int) -> UInt8 {
        let word = [self.w0, self.w1, self.w2, self.w3][index / 8]
        return UInt8(truncatingIfNeeded: word >> UInt64(56 - 8 * (index % 8)))
    }
}
