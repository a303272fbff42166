package import WakuCore

extension RangesData {
    /// Largest payload we accept. nwaku reads reconciliation frames without a limit and, with a
    /// million items and 1 % differing, sends item-set payloads of about 35 MB in one frame; the
    /// limit bounds what a peer can make us buffer while staying above that.
    package static let maxPayloadSize = 64 * 1024 * 1024

    /// The payload in nwaku master's delta encoding (PROTOCOLS.md §4.2), byte for byte.
    ///
    /// No ranges encode as the single byte `00`, without topic lists. Ranges must be ascending.
    package func encoded() -> [UInt8] {
        guard let first = self.ranges.first else { return [0] }
        var out: [UInt8] = []
        out.reserveCapacity(64 + self.ranges.count * 40)
        Self.append(topics: self.pubsubTopics, to: &out)
        Self.append(topics: self.contentTopics, to: &out)
        var lastTime = UInt64(bitPattern: first.lower.timestamp)
        // nwaku compares every zero-delta bound with the first lower bound's hash and never
        // updates that reference (§4.3); we copy the rule so our bytes match its bytes.
        let reference = first.lower.hash
        Varint.append(lastTime, to: &out)
        for range in self.ranges {
            let upperTime = UInt64(bitPattern: range.upper.timestamp)
            let delta = upperTime &- lastTime
            lastTime = upperTime
            Varint.append(delta, to: &out)
            if delta == 0 {
                var shared = 0
                while shared < 32 {
                    shared += 1
                    if reference[byte: shared - 1] != range.upper.hash[byte: shared - 1] { break }
                }
                out.append(UInt8(shared))
                out.append(contentsOf: range.upper.hash.bytes.prefix(shared))
            }
            out.append(range.kind.code)
            switch range.kind {
            case .skip:
                break
            case .fingerprint(let fingerprint):
                fingerprint.append(to: &out)
            case .itemSet(let set):
                Varint.append(UInt64(set.items.count), to: &out)
                var lastItemTime: UInt64 = 0
                for item in set.items {
                    let time = UInt64(bitPattern: item.timestamp)
                    Varint.append(time &- lastItemTime, to: &out)
                    lastItemTime = time
                    item.hash.append(to: &out)
                }
                out.append(set.isReconciled ? 1 : 0)
            }
        }
        return out
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

    private static func append(topics: [String], to out: inout [UInt8]) {
        Varint.append(UInt64(topics.count), to: &out)
        for topic in topics {
            Varint.append(UInt64(topic.utf8.count), to: &out)
            out.append(contentsOf: topic.utf8)
        }
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
        _ what: String
    ) throws(CodecError) -> Int64 {
        let start = reader.offset
        let delta = try reader.readVarint(what)
        guard delta <= UInt64(Int64.max), case (let sum, false) = base.addingReportingOverflow(Int64(delta)) else {
            throw CodecError(.overflow, at: start, "\(what): timestamp \(base) + \(delta) exceeds int64")
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
