/// Unsigned LEB128 ("uvarint"), the integer encoding of every length prefix, of multistream and of
/// the reconciliation payload (PROTOCOLS.md §0).
package enum Varint {
    /// Appends the minimal encoding of `value`.
    @inline(__always)
    package static func append(_ value: UInt64, to buffer: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            buffer.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        buffer.append(UInt8(rest))
    }

    /// The encoding of `value` as a new array.
    package static func encode(_ value: UInt64) -> [UInt8] {
        var out = [UInt8]()
        Self.append(value, to: &out)
        return out
    }

    /// How many bytes the encoding of `value` takes.
    package static func size(of value: UInt64) -> Int {
        var count = 1
        var rest = value >> 7
        while rest != 0 {
            count += 1
            rest >>= 7
        }
        return count
    }
}
