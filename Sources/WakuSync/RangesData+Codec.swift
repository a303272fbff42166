package import WakuCore

extension RangesData {
    /// Largest payload we accept. nwaku reads reconciliation frames without a limit and, with a
    /// million items and 1 % differing, sends item-set payloads of about 35 MB in one frame; the
    /// limit bounds what a peer can make us buffer while staying above that.
    package static let maxPayloadSize = 64 * 1024 * 1024

    /// The payload in nwaku master's delta encoding (PROTOCOLS.md §4.2), byte for byte.
    ///
    /// No ranges encode as the single byte `00`, without topic lists. Ranges must be ascending.
    /// The exact size is measured first and the bytes are then stored into one buffer, with no
    /// allocation per range or item (PERFORMANCE.md §5).
    package func encoded() -> [UInt8] {
        guard let first = self.ranges.first else { return [0] }
        // nwaku compares every zero-delta bound with the first lower bound's hash and never
        // updates that reference (§4.3); we copy the rule so our bytes match its bytes.
        let reference = first.lower.hash
        let size = self.encodedSize(reference: reference)
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            var writer = PayloadWriter(base: buffer.baseAddress!)
            writer.topics(self.pubsubTopics)
            writer.topics(self.contentTopics)
            var lastTime = UInt64(bitPattern: first.lower.timestamp)
            writer.varint(lastTime)
            for range in self.ranges {
                let upperTime = UInt64(bitPattern: range.upper.timestamp)
                let delta = upperTime &- lastTime
                lastTime = upperTime
                writer.varint(delta)
                if delta == 0 {
                    let shared = Self.prefixLength(of: range.upper.hash, against: reference)
                    writer.byte(UInt8(shared))
                    writer.hashPrefix(range.upper.hash, shared)
                }
                writer.byte(range.kind.code)
                switch range.kind {
                case .skip:
                    break
                case .fingerprint(let fingerprint):
                    writer.hash(fingerprint)
                case .itemSet(let set):
                    writer.varint(UInt64(set.items.count))
                    var lastItemTime: UInt64 = 0
                    for item in set.items {
                        let time = UInt64(bitPattern: item.timestamp)
                        writer.varint(time &- lastItemTime)
                        lastItemTime = time
                        writer.hash(item.hash)
                    }
                    writer.byte(set.isReconciled ? 1 : 0)
                }
            }
            precondition(writer.offset == size, "the measured payload size is exact")
            count = size
        }
    }

    /// The length of ``encoded()``, without encoding.
    package var encodedSize: Int {
        guard let first = self.ranges.first else { return 1 }
        return self.encodedSize(reference: first.lower.hash)
    }

    /// Decodes a payload, reconstructing bounds exactly as nwaku's decoder does (§4.3): lower
    /// bounds carry a zero hash, an upper bound carries hash bytes only when its time delta is 0.
    ///
    /// Linear in the payload size. Payloads of 0 or 1 byte mean "no ranges"; a single byte left
    /// after the last range is ignored, as nwaku does (§4.4). Anything malformed throws a
    /// ``CodecError`` naming the byte offset; counts are checked against the bytes left before
    /// anything is allocated for them.
    package init(
        decoding bytes: [UInt8],
        maxSize: Int = RangesData.maxPayloadSize,
        limits: PayloadLimits = .unlimited
    ) throws(CodecError) {
        self.init()
        guard bytes.count <= maxSize else {
            throw CodecError(.overLimit, at: 0, "payload of \(bytes.count) bytes exceeds the limit of \(maxSize)")
        }
        guard bytes.count > 1 else { return }
        var reader = ByteReader(bytes)
        self.pubsubTopics = try Self.readTopics(&reader, "pubsub topic")
        self.contentTopics = try Self.readTopics(&reader, "content topic")
        var lastTime = try Self.readTimestamp(&reader, base: 0, "first lower bound")
        var items = 0
        while reader.remaining >= 2 {
            let rangeStart = reader.offset
            guard self.ranges.count < limits.ranges else {
                throw CodecError(.overLimit, at: rangeStart, "more than \(limits.ranges) ranges in one payload")
            }
            let lower = SyncID.bound(lastTime)
            let upperTime = try Self.readTimestamp(&reader, base: lastTime, "range upper bound")
            var upperHash = MessageHash.zero
            if upperTime == lastTime {
                upperHash = try Self.readHashPrefix(&reader)
            }
            lastTime = upperTime
            let upper = SyncID(timestamp: upperTime, hash: upperHash)
            let code = try reader.readByte("range type")
            let kind: SyncRange.Kind
            switch code {
            case 0:
                kind = .skip
            case 1:
                kind = .fingerprint(try reader.readHash("fingerprint"))
            case 2:
                let set = try Self.readItemSet(&reader, limit: limits.items - items)
                items += set.items.count
                kind = .itemSet(set)
            default:
                throw CodecError(
                    .invalidValue,
                    at: reader.offset - 1,
                    "unknown range type \(code) (range at byte \(rangeStart))"
                )
            }
            self.ranges.append(SyncRange(lower: lower, upper: upper, kind: kind))
        }
    }

    // MARK: - Private

    private func encodedSize(reference: MessageHash) -> Int {
        var size = Self.topicsSize(self.pubsubTopics) + Self.topicsSize(self.contentTopics)
        var lastTime = UInt64(bitPattern: self.ranges[0].lower.timestamp)
        size += Varint.size(of: lastTime)
        for range in self.ranges {
            let upperTime = UInt64(bitPattern: range.upper.timestamp)
            let delta = upperTime &- lastTime
            lastTime = upperTime
            size += Varint.size(of: delta) + 1
            if delta == 0 { size += 1 + Self.prefixLength(of: range.upper.hash, against: reference) }
            switch range.kind {
            case .skip:
                break
            case .fingerprint:
                size += MessageHash.byteCount
            case .itemSet(let set):
                size += Varint.size(of: UInt64(set.items.count)) + 1 + set.items.count * MessageHash.byteCount
                var lastItemTime: UInt64 = 0
                for item in set.items {
                    let time = UInt64(bitPattern: item.timestamp)
                    size += Varint.size(of: time &- lastItemTime)
                    lastItemTime = time
                }
            }
        }
        return size
    }

    private static func topicsSize(_ topics: [String]) -> Int {
        topics.reduce(Varint.size(of: UInt64(topics.count))) {
            $0 + Varint.size(of: UInt64($1.utf8.count)) + $1.utf8.count
        }
    }

    /// nwaku's prefix rule (§4.3): the bytes up to and including the first that differs from the
    /// reference, all 32 when none does.
    static func prefixLength(of hash: MessageHash, against reference: MessageHash) -> Int {
        let difference = hash ^ reference
        if difference.w0 != 0 { return difference.w0.leadingZeroBitCount / 8 + 1 }
        if difference.w1 != 0 { return 8 + difference.w1.leadingZeroBitCount / 8 + 1 }
        if difference.w2 != 0 { return 16 + difference.w2.leadingZeroBitCount / 8 + 1 }
        if difference.w3 != 0 { return 24 + difference.w3.leadingZeroBitCount / 8 + 1 }
        return MessageHash.byteCount
    }

    private static func readTopics(_ reader: inout ByteReader, _ what: String) throws(CodecError) -> [String] {
        let count = try reader.readCount("\(what) count", minimumSize: 1)
        var topics: [String] = []
        topics.reserveCapacity(count)
        for index in 0..<count {
            topics.append(try reader.readString("\(what) \(index)"))
        }
        return topics
    }

    /// Reads a time delta and adds it to `base`; nwaku converts both to int64 and cannot
    /// represent anything beyond, so neither can we.
    private static func readTimestamp(
        _ reader: inout ByteReader,
        base: Int64,
        _ what: @autoclosure () -> String
    ) throws(CodecError) -> Int64 {
        let start = reader.offset
        let delta = try reader.readVarint(what())
        guard delta <= UInt64(Int64.max), case (let sum, false) = base.addingReportingOverflow(Int64(delta)) else {
            throw CodecError(.overflow, at: start, "\(what()): timestamp \(base) + \(delta) exceeds int64")
        }
        return sum
    }

    private static func readHashPrefix(_ reader: inout ByteReader) throws(CodecError) -> MessageHash {
        let start = reader.offset
        let length = Int(try reader.readByte("hash prefix length"))
        guard length <= MessageHash.byteCount else {
            throw CodecError(.invalidValue, at: start, "hash prefix of \(length) bytes is longer than a hash")
        }
        var bytes = Array(try reader.readBytes(length, "hash prefix"))
        bytes.append(contentsOf: repeatElement(0, count: MessageHash.byteCount - length))
        return try MessageHash(bytes: bytes)
    }

    private static func readItemSet(_ reader: inout ByteReader, limit: Int) throws(CodecError) -> ItemSet {
        let countStart = reader.offset
        // An item takes at least one varint byte and a 32-byte hash.
        let count = try reader.readCount("item count", minimumSize: 1 + MessageHash.byteCount)
        guard count <= limit else {
            throw CodecError(.overLimit, at: countStart, "item set of \(count) items exceeds the payload's item limit")
        }
        var items: [SyncID] = []
        items.reserveCapacity(count)
        var lastTime: Int64 = 0
        for index in 0..<count {
            lastTime = try Self.readTimestamp(&reader, base: lastTime, "item \(index) timestamp")
            items.append(SyncID(timestamp: lastTime, hash: try reader.readHash("item \(index) hash")))
        }
        let start = reader.offset
        let flag = try reader.readByte("reconciled flag")
        guard flag <= 1 else {
            throw CodecError(.invalidValue, at: start, "reconciled flag is \(flag), not 0 or 1")
        }
        return ItemSet(items: items, isReconciled: flag == 1)
    }
}

/// Caps on what one decoded payload may hold, beyond its byte size.
///
/// A range costs 2–4 bytes on the wire but about 120 bytes decoded, so a byte limit alone lets a
/// payload of tiny Skip or empty item-set ranges expand thirtyfold in memory; counting ranges and
/// items bounds the decoded size directly (docs/SECURITY.md has the figures these defaults come
/// from).
package struct PayloadLimits: Equatable, Sendable {
    /// Most ranges in one payload.
    package var ranges: Int
    /// Most items over all item sets of one payload.
    package var items: Int

    package init(ranges: Int, items: Int) {
        self.ranges = ranges
        self.items = items
    }

    /// No caps (offline tools replaying captured sessions).
    package static let unlimited = PayloadLimits(ranges: .max, items: .max)
}

/// Stores a payload into a buffer ``RangesData/encoded()`` sized exactly beforehand.
private struct PayloadWriter {
    let base: UnsafeMutablePointer<UInt8>
    var offset = 0

    @inline(__always)
    mutating func byte(_ value: UInt8) {
        self.base[self.offset] = value
        self.offset += 1
    }

    @inline(__always)
    mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            self.byte(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        self.byte(UInt8(rest))
    }

    @inline(__always)
    mutating func hash(_ hash: MessageHash) {
        let raw = UnsafeMutableRawPointer(self.base + self.offset)
        raw.storeBytes(of: hash.w0.bigEndian, toByteOffset: 0, as: UInt64.self)
        raw.storeBytes(of: hash.w1.bigEndian, toByteOffset: 8, as: UInt64.self)
        raw.storeBytes(of: hash.w2.bigEndian, toByteOffset: 16, as: UInt64.self)
        raw.storeBytes(of: hash.w3.bigEndian, toByteOffset: 24, as: UInt64.self)
        self.offset += MessageHash.byteCount
    }

    mutating func hashPrefix(_ hash: MessageHash, _ length: Int) {
        for word in 0..<4 where word * 8 < length {
            let value: UInt64 = word == 0 ? hash.w0 : word == 1 ? hash.w1 : word == 2 ? hash.w2 : hash.w3
            for shift in 0..<min(8, length - word * 8) {
                self.byte(UInt8(truncatingIfNeeded: value >> UInt64(56 - 8 * shift)))
            }
        }
    }

    mutating func topics(_ topics: [String]) {
        self.varint(UInt64(topics.count))
        for topic in topics {
            self.varint(UInt64(topic.utf8.count))
            for byte in topic.utf8 { self.byte(byte) }
        }
    }
}
