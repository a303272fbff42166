/// The few protobuf messages libp2p needs (PublicKey, PrivateKey, the Noise handshake payload,
/// identify) are written and read by hand: fields in ascending order, every field we set is
/// written (PROTOCOLS.md §0.1), unknown fields skipped.
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    /// Writes a varint field (wire type 0).
    mutating func writeVarint(field: UInt64, _ value: UInt64) {
        UVarint.append(field << 3, to: &self.bytes)
        UVarint.append(value, to: &self.bytes)
    }

    /// Writes a length-delimited field (wire type 2).
    mutating func writeBytes(field: UInt64, _ value: some Collection<UInt8>) {
        UVarint.append(field << 3 | 2, to: &self.bytes)
        UVarint.append(UInt64(value.count), to: &self.bytes)
        self.bytes.append(contentsOf: value)
    }

    /// Writes a string field as UTF-8 (wire type 2).
    mutating func writeString(field: UInt64, _ value: String) {
        self.writeBytes(field: field, Array(value.utf8))
    }
}

/// Walks the fields of one protobuf message, rejecting malformed input with a readable error.
struct ProtobufReader {
    /// One decoded field.
    enum Value {
        case varint(UInt64)
        case bytes(ArraySlice<UInt8>)
    }

    private let bytes: [UInt8]
    private var offset = 0
    /// Names the message in errors ("noise handshake payload").
    private let what: String

    init(_ bytes: [UInt8], what: String) {
        self.bytes = bytes
        self.what = what
    }

    /// The next field, or nil at the end. Fixed-width fields (wire types 1 and 5) are skipped.
    mutating func next() throws(Libp2pError) -> (field: UInt64, value: Value)? {
        while self.offset < self.bytes.count {
            let key = try self.varint()
            let field = key >> 3
            guard field > 0 else { throw self.error("field number 0") }
            switch key & 7 {
            case 0:
                return (field, .varint(try self.varint()))
            case 1:
                try self.skip(8)
            case 2:
                let length = try self.varint()
                guard length <= UInt64(self.bytes.count - self.offset) else {
                    throw self.error("field \(field) claims \(length) bytes, \(self.bytes.count - self.offset) left")
                }
                let start = self.offset
                self.offset += Int(length)
                return (field, .bytes(self.bytes[start..<self.offset]))
            case 5:
                try self.skip(4)
            default:
                throw self.error("unsupported wire type \(key & 7) for field \(field)")
            }
        }
        return nil
    }

    private mutating func varint() throws(Libp2pError) -> UInt64 {
        do {
            return try UVarint.read(self.bytes, at: &self.offset)
        } catch {
            throw self.error(error.detail)
        }
    }

    private mutating func skip(_ count: Int) throws(Libp2pError) {
        guard self.bytes.count - self.offset >= count else { throw self.error("truncated fixed-width field") }
        self.offset += count
    }

    private func error(_ detail: String) -> Libp2pError {
        Libp2pError(.malformedFrame, "\(self.what): \(detail)")
    }
}

extension ProtobufReader.Value {
    /// The bytes of a length-delimited field, or an error naming the field.
    func bytes(_ name: String) throws(Libp2pError) -> [UInt8] {
        guard case .bytes(let slice) = self else {
            throw Libp2pError(.malformedFrame, "\(name) is not a length-delimited field")
        }
        return Array(slice)
    }

    /// The value of a varint field, or an error naming the field.
    func varint(_ name: String) throws(Libp2pError) -> UInt64 {
        guard case .varint(let value) = self else {
            throw Libp2pError(.malformedFrame, "\(name) is not a varint field")
        }
        return value
    }

    /// A length-delimited field as UTF-8 text.
    func string(_ name: String) throws(Libp2pError) -> String {
        let bytes = try self.bytes(name)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw Libp2pError(.malformedFrame, "\(name) is not valid UTF-8")
        }
        return text
    }
}
