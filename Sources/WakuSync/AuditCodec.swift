internal import WakuCore

/// The pieces the audit frames are made of (PROTOCOLS.md §12.3).
enum AuditCodec {
    static func appendTime(_ time: Int64, to out: inout [UInt8]) {
        Self.appendWord(UInt64(bitPattern: time), to: &out)
    }

    static func appendWord(_ word: UInt64, to out: inout [UInt8]) {
        withUnsafeBytes(of: word.bigEndian) { out.append(contentsOf: $0) }
    }

    static func appendString(_ text: String, to out: inout [UInt8]) {
        Varint.append(UInt64(text.utf8.count), to: &out)
        out.append(contentsOf: text.utf8)
    }

    static func appendTimes(_ times: [Int64], to out: inout [UInt8]) {
        Varint.append(UInt64(times.count), to: &out)
        for time in times { Self.appendTime(time, to: &out) }
    }

    static func appendWords(_ words: [UInt64], to out: inout [UInt8]) {
        Varint.append(UInt64(words.count), to: &out)
        for word in words { Self.appendWord(word, to: &out) }
    }

    static func appendSummaries(_ summaries: [AuditSummary], to out: inout [UInt8]) {
        Varint.append(UInt64(summaries.count), to: &out)
        for summary in summaries {
            Self.appendTime(summary.start, to: &out)
            Varint.append(UInt64(max(0, summary.count)), to: &out)
            Self.appendWord(summary.digest.high, to: &out)
            Self.appendWord(summary.digest.low, to: &out)
        }
    }

    static func appendView(_ view: AuditMinuteView, to out: inout [UInt8]) {
        switch view {
        case .listed(let prefixes):
            out.append(0)
            Self.appendWords(prefixes, to: &out)
        case .sliced(let slices):
            out.append(1)
            for slice in slices {
                Varint.append(UInt64(max(0, slice.count)), to: &out)
                Self.appendWord(slice.digest, to: &out)
            }
        }
    }

    static func appendMessages(_ messages: [TransferPayload], to out: inout [UInt8]) {
        Varint.append(UInt64(messages.count), to: &out)
        for item in messages {
            Self.appendString(item.pubsubTopic, to: &out)
            let bytes = item.message.serialized()
            Varint.append(UInt64(bytes.count), to: &out)
            out += bytes
        }
    }

    static func readTime(_ reader: inout ByteReader, _ what: String) throws(CodecError) -> Int64 {
        Int64(bitPattern: try Self.readWord(&reader, what))
    }

    static func readWord(_ reader: inout ByteReader, _ what: String) throws(CodecError) -> UInt64 {
        try reader.readBytes(8, what).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// A count the remaining bytes can hold and `limit` allows.
    static func readCount(
        _ reader: inout ByteReader,
        _ what: String,
        minimumSize: Int,
        limit: Int
    ) throws(CodecError) -> Int {
        let start = reader.offset
        let count = try reader.readCount(what, minimumSize: minimumSize)
        guard count <= limit else { throw CodecError(.overLimit, at: start, "\(what) \(count) is over \(limit)") }
        return count
    }

    static func readTimes(_ reader: inout ByteReader, _ what: String, limit: Int) throws(CodecError) -> [Int64] {
        let count = try Self.readCount(&reader, what, minimumSize: 8, limit: limit)
        var times: [Int64] = []
        times.reserveCapacity(count)
        for _ in 0..<count { times.append(try Self.readTime(&reader, what)) }
        return times
    }

    static func readWords(_ reader: inout ByteReader, limit: Int) throws(CodecError) -> [UInt64] {
        let count = try Self.readCount(&reader, "prefix count", minimumSize: 8, limit: limit)
        var words: [UInt64] = []
        words.reserveCapacity(count)
        for _ in 0..<count { words.append(try Self.readWord(&reader, "prefix")) }
        return words
    }

    static func readSummaries(_ reader: inout ByteReader, limit: Int) throws(CodecError) -> [AuditSummary] {
        let count = try Self.readCount(&reader, "bucket count", minimumSize: 25, limit: limit)
        var summaries: [AuditSummary] = []
        summaries.reserveCapacity(count)
        for _ in 0..<count {
            let start = try Self.readTime(&reader, "bucket start")
            let value = try reader.readVarint("bucket count")
            guard value <= UInt64(Int64.max) else { throw CodecError(.invalidValue, at: reader.offset, "bucket count") }
            let high = try Self.readWord(&reader, "bucket digest")
            let low = try Self.readWord(&reader, "bucket digest")
            summaries.append(AuditSummary(start: start, count: Int64(value), digest: AuditDigest(high: high, low: low)))
        }
        return summaries
    }

    static func readView(_ reader: inout ByteReader, limits: AuditLimits) throws(CodecError) -> AuditMinuteView {
        let mode = try reader.readByte("minute view")
        switch mode {
        case 0:
            return .listed(try Self.readWords(&reader, limit: limits.listedMinute))
        case 1:
            var slices: [AuditSliceSummary] = []
            slices.reserveCapacity(16)
            for _ in 0..<16 {
                let count = try reader.readVarint("slice count")
                guard count <= UInt64(Int64.max) else {
                    throw CodecError(.invalidValue, at: reader.offset, "slice count")
                }
                slices.append(
                    AuditSliceSummary(count: Int64(count), digest: try Self.readWord(&reader, "slice digest"))
                )
            }
            return .sliced(slices)
        default:
            throw CodecError(.invalidValue, at: reader.offset - 1, "unknown minute view \(mode)")
        }
    }

    /// Messages with their topics; each decoded under Waku's message size limit.
    static func readMessages(_ reader: inout ByteReader) throws(CodecError) -> [TransferPayload] {
        let count = try reader.readCount("message count", minimumSize: 2)
        var messages: [TransferPayload] = []
        messages.reserveCapacity(min(count, 4_096))
        for _ in 0..<count {
            let topic = try reader.readString("pubsub topic")
            let length = try reader.readCount("message length", minimumSize: 1)
            let bytes = Array(try reader.readBytes(length, "message"))
            messages.append(TransferPayload(pubsubTopic: topic, message: try WakuMessage(serialized: bytes)))
        }
        return messages
    }
}
