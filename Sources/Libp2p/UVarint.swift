internal import NIOCore

/// Unsigned LEB128 as multiformats uses it (PROTOCOLS.md §0): minimal encoding, at most 9 bytes for
/// the 63-bit values multiformats allows.
package enum UVarint {
    /// The largest value multiformats' unsigned varint may carry (2^63 − 1).
    package static let maximum: UInt64 = (1 << 63) - 1

    /// Appends the minimal encoding of `value`.
    package static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// Writes the minimal encoding of `value` into `buffer`.
    @discardableResult
    static func write(_ value: UInt64, to buffer: inout ByteBuffer) -> Int {
        var rest = value
        var written = 0
        while rest >= 0x80 {
            written += buffer.writeInteger(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        return written + buffer.writeInteger(UInt8(rest))
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

    /// The result of looking for a varint at the start of some bytes.
    package enum Peek: Equatable {
        /// Not enough bytes yet.
        case incomplete
        /// The value and how many bytes encode it.
        case value(UInt64, length: Int)
    }

    /// Decodes a varint from the start of `bytes` without consuming anything.
    ///
    /// - Throws: ``Libp2pError/Code/malformedFrame`` for more than 9 bytes or a non-minimal encoding.
    package static func peek(_ bytes: some Collection<UInt8>) throws(Libp2pError) -> Peek {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var length = 0
        for byte in bytes {
            length += 1
            if length > 9 {
                throw Libp2pError(.malformedFrame, "varint longer than 9 bytes")
            }
            value |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 {
                if byte == 0 && length > 1 {
                    throw Libp2pError(.malformedFrame, "varint is not minimally encoded")
                }
                return .value(value, length: length)
            }
            shift += 7
        }
        return .incomplete
    }

    /// Reads a varint from `buffer`, consuming it only when complete.
    static func read(from buffer: inout ByteBuffer) throws(Libp2pError) -> UInt64? {
        guard case .value(let value, let length) = try self.peek(buffer.readableBytesView) else { return nil }
        buffer.moveReaderIndex(forwardBy: length)
        return value
    }

    /// Reads a varint from `bytes` at `offset`, advancing it.
    ///
    /// - Throws: ``Libp2pError/Code/malformedFrame`` when the bytes end inside the varint.
    package static func read(_ bytes: [UInt8], at offset: inout Int) throws(Libp2pError) -> UInt64 {
        guard offset <= bytes.count,
            case .value(let value, let length) = try self.peek(bytes[offset...])
        else {
            throw Libp2pError(.malformedFrame, "truncated varint at byte \(offset)")
        }
        offset += length
        return value
    }
}
