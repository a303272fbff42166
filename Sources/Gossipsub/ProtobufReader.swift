/// A bounds-checked reader of protobuf fields over a region of a frame.
///
/// Offsets stay absolute in the frame, so a nested message's errors name the byte where they
/// happened. Nothing is copied until a caller asks for a field's bytes.
struct ProtobufReader {
    /// One field header.
    struct Field {
        var number: UInt64
        var wireType: UInt8
        /// Offset of the tag, for error messages.
        var offset: Int
    }

    let bytes: [UInt8]
    private(set) var offset: Int
    private let end: Int

    init(_ bytes: [UInt8], region: Range<Int>) {
        self.bytes = bytes
        self.offset = region.lowerBound
        self.end = region.upperBound
    }

    var isAtEnd: Bool { self.offset >= self.end }

    mutating func readField() throws(RPCDecodingError) -> Field {
        let start = self.offset
        let tag = try self.readVarint("field tag")
        let wireType = UInt8(tag & 0x7)
        let number = tag >> 3
        guard number != 0 else {
            throw RPCDecodingError(.invalidWireType, at: start, "field number 0")
        }
        return Field(number: number, wireType: wireType, offset: start)
    }

    mutating func readVarint(_ what: @autoclosure () -> String) throws(RPCDecodingError) -> UInt64 {
        let start = self.offset
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard self.offset < self.end else {
                throw RPCDecodingError(.truncated, at: start, "\(what()): varint runs past the end")
            }
            let byte = self.bytes[self.offset]
            self.offset += 1
            if shift == 63 && byte > 1 {
                throw RPCDecodingError(.varintOverflow, at: start, "\(what()): varint exceeds 64 bits")
            }
            value |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
            if shift > 63 {
                throw RPCDecodingError(.varintOverflow, at: start, "\(what()): varint exceeds 64 bits")
            }
        }
    }

    /// Reads a length-delimited field's body and returns where it lies in the frame.
    mutating func readRegion(_ field: Field, _ what: @autoclosure () -> String) throws(RPCDecodingError) -> Range<Int> {
        guard field.wireType == 2 else {
            throw RPCDecodingError(
                .invalidWireType,
                at: field.offset,
                "\(what()) has wire type \(field.wireType), expected 2"
            )
        }
        let start = self.offset
        let length = try self.readVarint(what())
        guard length <= UInt64(self.end - self.offset) else {
            throw RPCDecodingError(
                .truncated,
                at: start,
                "\(what()) needs \(length) bytes, \(self.end - self.offset) left"
            )
        }
        let region = self.offset..<(self.offset + Int(length))
        self.offset = region.upperBound
        return region
    }

    mutating func readBytes(_ field: Field, _ what: @autoclosure () -> String) throws(RPCDecodingError) -> [UInt8] {
        Array(self.bytes[try self.readRegion(field, what())])
    }

    mutating func readString(_ field: Field, _ what: @autoclosure () -> String) throws(RPCDecodingError) -> String {
        let region = try self.readRegion(field, what())
        guard let text = String(validating: self.bytes[region], as: UTF8.self) else {
            throw RPCDecodingError(.invalidUTF8, at: region.lowerBound, "\(what()) is not valid UTF-8")
        }
        return text
    }

    mutating func readUInt64(_ field: Field, _ what: @autoclosure () -> String) throws(RPCDecodingError) -> UInt64 {
        guard field.wireType == 0 else {
            throw RPCDecodingError(
                .invalidWireType,
                at: field.offset,
                "\(what()) has wire type \(field.wireType), expected 0"
            )
        }
        return try self.readVarint(what())
    }

    /// Skips a field we do not know (protobuf's rule for unknown fields).
    mutating func skip(_ field: Field) throws(RPCDecodingError) {
        switch field.wireType {
        case 0:
            _ = try self.readVarint("unknown field \(field.number)")
        case 1, 5:
            let size = field.wireType == 1 ? 8 : 4
            guard self.end - self.offset >= size else {
                throw RPCDecodingError(.truncated, at: self.offset, "unknown fixed field \(field.number)")
            }
            self.offset += size
        case 2:
            _ = try self.readRegion(field, "unknown field \(field.number)")
        default:
            throw RPCDecodingError(
                .invalidWireType,
                at: field.offset,
                "field \(field.number) has unsupported wire type \(field.wireType)"
            )
        }
    }
}
