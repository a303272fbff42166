/// Appends protobuf fields to a byte array, in the order they are written.
///
/// Only what the RPC needs: varint fields, length-delimited fields and nested messages.
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    mutating func writeVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            self.bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        self.bytes.append(UInt8(rest))
    }

    mutating func writeVarintField(_ field: UInt64, _ value: UInt64) {
        self.writeVarint(field << 3)
        self.writeVarint(value)
    }

    mutating func writeBytesField(_ field: UInt64, _ value: some Collection<UInt8>) {
        self.writeVarint(field << 3 | 2)
        self.writeVarint(UInt64(value.count))
        self.bytes.append(contentsOf: value)
    }

    mutating func writeStringField(_ field: UInt64, _ value: String) {
        self.writeBytesField(field, value.utf8)
    }

    /// Writes a nested message built by `body` as one length-delimited field.
    mutating func writeMessageField(_ field: UInt64, _ body: (inout ProtobufWriter) -> Void) {
        var nested = ProtobufWriter()
        body(&nested)
        self.writeBytesField(field, nested.bytes)
    }

    /// The size of the varint encoding of `value`.
    static func varintSize(_ value: UInt64) -> Int {
        var count = 1
        var rest = value >> 7
        while rest != 0 {
            count += 1
            rest >>= 7
        }
        return count
    }
}
