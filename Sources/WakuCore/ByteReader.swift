/// A bounds-checked cursor over a byte array, for decoders fed from outside.
///
/// Every read checks the bytes left first and throws a ``CodecError`` naming the offset; nothing
/// is copied except what a read returns.
package struct ByteReader: Sendable {
    package let bytes: [UInt8]
    package private(set) var offset: Int

    package init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    package var remaining: Int { self.bytes.count - self.offset }
    package var isAtEnd: Bool { self.offset >= self.bytes.count }

    package mutating func readByte(_ what: @autoclosure () -> String) throws(CodecError) -> UInt8 {
        guard self.offset < self.bytes.count else {
            throw CodecError(.truncated, at: self.offset, "\(what()) is missing")
        }
        defer { self.offset += 1 }
        return self.bytes[self.offset]
    }

    /// Reads an unsigned LEB128 value of at most 64 bits.
    package mutating func readVarint(_ what: @autoclosure () -> String) throws(CodecError) -> UInt64 {
        let start = self.offset
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard self.offset < self.bytes.count else {
                throw CodecError(.truncated, at: start, "\(what()): varint runs past the end")
            }
            let byte = self.bytes[self.offset]
            self.offset += 1
            if shift == 63 && byte > 1 {
                throw CodecError(.varintOverflow, at: start, "\(what()): varint exceeds 64 bits")
            }
            value |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
            if shift > 63 {
                throw CodecError(.varintOverflow, at: start, "\(what()): varint exceeds 64 bits")
            }
        }
    }

    /// Reads a varint that counts things of at least `minimumSize` bytes each, rejecting counts the
    /// remaining bytes cannot hold before anything is allocated for them.
    package mutating func readCount(
        _ what: @autoclosure () -> String,
        minimumSize: Int
    ) throws(CodecError) -> Int {
        let start = self.offset
        let value = try self.readVarint(what())
        let fits = UInt64(self.remaining / Swift.max(minimumSize, 1))
        guard value <= fits else {
            throw CodecError(
                .tooLarge,
                at: start,
                "\(what()) claims \(value) entries but only \(self.remaining) bytes are left"
            )
        }
        return Int(value)
    }

    /// Reads `count` bytes.
    package mutating func readBytes(
        _ count: Int,
        _ what: @autoclosure () -> String
    ) throws(CodecError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= self.remaining else {
            throw CodecError(.truncated, at: self.offset, "\(what()) needs \(count) bytes, \(self.remaining) left")
        }
        defer { self.offset += count }
        return self.bytes[self.offset..<self.offset + count]
    }

    /// Reads a 32-byte hash.
    package mutating func readHash(_ what: @autoclosure () -> String) throws(CodecError) -> MessageHash {
        guard self.remaining >= MessageHash.byteCount else {
            throw CodecError(.truncated, at: self.offset, "\(what()) needs 32 bytes, \(self.remaining) left")
        }
        let start = self.offset
        self.offset += MessageHash.byteCount
        return self.bytes.withUnsafeBytes { MessageHash($0, at: start) }
    }

    /// Reads a length-prefixed UTF-8 string.
    package mutating func readString(_ what: @autoclosure () -> String) throws(CodecError) -> String {
        let start = self.offset
        let length = try self.readCount(what(), minimumSize: 1)
        let slice = try self.readBytes(length, what())
        guard let text = String(validating: slice, as: UTF8.self) else {
            throw CodecError(.invalidUTF8, at: start, "\(what()) is not valid UTF-8")
        }
        return text
    }
}
