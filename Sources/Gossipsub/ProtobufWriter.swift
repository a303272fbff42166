/// Appends protobuf fields to a byte array, in the order they are written.
///
/// Only what the RPC needs: varint fields, length-delimited fields and nested messages. A nested
/// message is measured first (its body runs once on a writer that only counts) and then written
/// in place, so an RPC is built in one buffer of the right size: building each nested message in
/// a buffer of its own and copying it cost several allocations per relayed message
/// (PERFORMANCE.md §7.3).
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []
    private let measuring: Bool
    /// What a measuring writer has counted.
    private var counted = 0

    /// Bytes written (or, when measuring, counted) so far.
    var count: Int { self.measuring ? self.counted : self.bytes.count }

    init() {
        self.measuring = false
    }

    private init(measuring: Bool) {
        self.measuring = measuring
    }

    /// The bytes `body` writes, in one buffer reserved at their exact size.
    static func encode(_ body: (inout ProtobufWriter) -> Void) -> [UInt8] {
        var counter = ProtobufWriter(measuring: true)
        body(&counter)
        var writer = ProtobufWriter()
        writer.bytes.reserveCapacity(counter.count)
        body(&writer)
        return writer.bytes
    }

    mutating func writeVarint(_ value: UInt64) {
        guard !self.measuring else {
            self.counted += Self.varintSize(value)
            return
        }
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
        if self.measuring {
            self.counted += value.count
        } else {
            self.bytes.append(contentsOf: value)
        }
    }

    mutating func writeStringField(_ field: UInt64, _ value: String) {
        self.writeBytesField(field, value.utf8)
    }

    /// Writes a nested message built by `body` as one length-delimited field.
    mutating func writeMessageField(_ field: UInt64, _ body: (inout ProtobufWriter) -> Void) {
        var counter = ProtobufWriter(measuring: true)
        body(&counter)
        self.writeVarint(field << 3 | 2)
        self.writeVarint(UInt64(counter.count))
        body(&self)
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
