/// A message id as a dictionary or set key.
///
/// Waku's ids are 32-byte SHA-256 digests (PROTOCOLS.md §10.3): those are held inline as four
/// words, so looking one up in the seen cache (tens of thousands of ids at a high message rate)
/// compares words in the table instead of following each key to an array in the heap, and hashing
/// takes one pass. Ids of any other length (a peer's IHAVE may carry anything) keep their bytes.
package struct MessageKey: Hashable, Sendable {
    private let w0: UInt64
    private let w1: UInt64
    private let w2: UInt64
    private let w3: UInt64
    /// The id when it is not 32 bytes long; nil when the words hold it.
    private let other: [UInt8]?

    package init(_ bytes: [UInt8]) {
        guard bytes.count == 32 else {
            (self.w0, self.w1, self.w2, self.w3, self.other) = (0, 0, 0, 0, bytes)
            return
        }
        (self.w0, self.w1, self.w2, self.w3) = bytes.withUnsafeBytes { raw in
            (
                raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
                raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self),
                raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
            )
        }
        self.other = nil
    }

    /// The id's bytes.
    package var bytes: [UInt8] {
        if let other = self.other { return other }
        return [UInt8](unsafeUninitializedCapacity: 32) { buffer, count in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            raw.storeBytes(of: self.w0, toByteOffset: 0, as: UInt64.self)
            raw.storeBytes(of: self.w1, toByteOffset: 8, as: UInt64.self)
            raw.storeBytes(of: self.w2, toByteOffset: 16, as: UInt64.self)
            raw.storeBytes(of: self.w3, toByteOffset: 24, as: UInt64.self)
            count = 32
        }
    }

    package func hash(into hasher: inout Hasher) {
        if let other = self.other {
            other.withUnsafeBytes { hasher.combine(bytes: $0) }
        } else {
            hasher.combine(self.w0)
            hasher.combine(self.w1)
            hasher.combine(self.w2)
            hasher.combine(self.w3)
        }
    }
}
