package import WakuCore

// The byte layout is PROTOCOLS.md §12.3: a kind byte, then fixed 8-byte big-endian timestamps,
// uvarint counts and lengths, 16-byte bucket digests, 8-byte prefixes and slice digests.

extension AuditRequest {
    /// The request's bytes.
    package func encoded() -> [UInt8] {
        var out: [UInt8] = []
        switch self {
        case .days(let from, let to, let topics):
            out.append(1)
            AuditCodec.appendTime(from, to: &out)
            AuditCodec.appendTime(to, to: &out)
            Varint.append(UInt64(topics.count), to: &out)
            for topic in topics { AuditCodec.appendString(topic, to: &out) }
        case .children(let level, let parents):
            out += [2, UInt8(level.rawValue)]
            AuditCodec.appendTimes(parents, to: &out)
        case .slices(let minutes):
            out.append(3)
            AuditCodec.appendTimes(minutes, to: &out)
        case .prefixes(let keys):
            out.append(4)
            Varint.append(UInt64(keys.count), to: &out)
            for key in keys {
                AuditCodec.appendTime(key.minute, to: &out)
                out.append(key.nibble)
            }
        case .fetch(let keys):
            out.append(5)
            Varint.append(UInt64(keys.count), to: &out)
            for key in keys {
                AuditCodec.appendTime(key.minute, to: &out)
                AuditCodec.appendWord(key.prefix, to: &out)
            }
        case .push(let messages):
            out.append(6)
            AuditCodec.appendMessages(messages, to: &out)
        }
        return out
    }

    /// Decodes a request, refusing one over `limits` before allocating for it.
    package init(decoding bytes: [UInt8], limits: AuditLimits) throws(CodecError) {
        var reader = ByteReader(bytes)
        let kind = try reader.readByte("request kind")
        switch kind {
        case 1:
            let from = try AuditCodec.readTime(&reader, "span start")
            let to = try AuditCodec.readTime(&reader, "span end")
            let count = try AuditCodec.readCount(&reader, "topic count", minimumSize: 1, limit: 64)
            var topics: [String] = []
            for _ in 0..<count { topics.append(try reader.readString("pubsub topic")) }
            self = .days(from: from, to: to, pubsubTopics: topics)
        case 2:
            let raw = try reader.readByte("child level")
            guard let level = AuditLevel(rawValue: Int(raw)), level != .day else {
                throw CodecError(.invalidValue, at: reader.offset - 1, "children of level \(raw) cannot be asked for")
            }
            self = .children(level: level, parents: try AuditCodec.readTimes(&reader, "parents", limit: limits.parents))
        case 3:
            self = .slices(minutes: try AuditCodec.readTimes(&reader, "minutes", limit: limits.minutes))
        case 4:
            let count = try AuditCodec.readCount(&reader, "slice count", minimumSize: 9, limit: limits.slices)
            var keys: [AuditSliceKey] = []
            keys.reserveCapacity(count)
            for _ in 0..<count {
                let minute = try AuditCodec.readTime(&reader, "slice minute")
                let nibble = try reader.readByte("slice nibble")
                guard nibble < 16 else { throw CodecError(.invalidValue, at: reader.offset - 1, "nibble \(nibble)") }
                keys.append(AuditSliceKey(minute: minute, nibble: nibble))
            }
            self = .prefixes(keys)
        case 5:
            let count = try AuditCodec.readCount(&reader, "fetch count", minimumSize: 16, limit: limits.fetchKeys)
            var keys: [AuditPrefixKey] = []
            keys.reserveCapacity(count)
            for _ in 0..<count {
                let minute = try AuditCodec.readTime(&reader, "fetch minute")
                keys.append(AuditPrefixKey(minute: minute, prefix: try AuditCodec.readWord(&reader, "fetch prefix")))
            }
            self = .fetch(keys)
        case 6:
            self = .push(try AuditCodec.readMessages(&reader))
        default:
            throw CodecError(.invalidValue, at: 0, "unknown audit request kind \(kind)")
        }
        guard reader.isAtEnd else { throw CodecError(.invalidValue, at: reader.offset, "bytes after the request") }
    }
}

extension AuditResponse {
    /// The answer's bytes.
    package func encoded() -> [UInt8] {
        var out: [UInt8] = []
        switch self {
        case .days(let from, let to, let buckets):
            out.append(1)
            AuditCodec.appendTime(from, to: &out)
            AuditCodec.appendTime(to, to: &out)
            AuditCodec.appendSummaries(buckets, to: &out)
        case .children(let groups):
            out.append(2)
            Varint.append(UInt64(groups.count), to: &out)
            for group in groups { AuditCodec.appendSummaries(group, to: &out) }
        case .slices(let views):
            out.append(3)
            Varint.append(UInt64(views.count), to: &out)
            for view in views { AuditCodec.appendView(view, to: &out) }
        case .prefixes(let lists):
            out.append(4)
            Varint.append(UInt64(lists.count), to: &out)
            for list in lists { AuditCodec.appendWords(list, to: &out) }
        case .fetch(let messages, let complete):
            out += [5, complete ? 1 : 0]
            AuditCodec.appendMessages(messages, to: &out)
        case .push(let stored, let refused):
            out.append(6)
            Varint.append(UInt64(max(0, stored)), to: &out)
            Varint.append(UInt64(max(0, refused)), to: &out)
        case .error(let refusal):
            out += [0x7f, refusal.code.rawValue]
            AuditCodec.appendString(refusal.detail, to: &out)
        }
        return out
    }

    /// Decodes an answer, refusing one over `limits` before allocating for it.
    package init(decoding bytes: [UInt8], limits: AuditLimits) throws(CodecError) {
        var reader = ByteReader(bytes)
        let kind = try reader.readByte("answer kind")
        switch kind {
        case 1:
            let from = try AuditCodec.readTime(&reader, "span start")
            let to = try AuditCodec.readTime(&reader, "span end")
            self = .days(from: from, to: to, buckets: try AuditCodec.readSummaries(&reader, limit: limits.days + 1))
        case 2:
            let count = try AuditCodec.readCount(&reader, "parent count", minimumSize: 1, limit: limits.parents)
            var groups: [[AuditSummary]] = []
            groups.reserveCapacity(count)
            for _ in 0..<count { groups.append(try AuditCodec.readSummaries(&reader, limit: 60)) }
            self = .children(groups)
        case 3:
            let count = try AuditCodec.readCount(&reader, "minute count", minimumSize: 2, limit: limits.minutes)
            var views: [AuditMinuteView] = []
            views.reserveCapacity(count)
            for _ in 0..<count { views.append(try AuditCodec.readView(&reader, limits: limits)) }
            self = .slices(views)
        case 4:
            let count = try AuditCodec.readCount(&reader, "slice count", minimumSize: 1, limit: limits.slices)
            var lists: [[UInt64]] = []
            lists.reserveCapacity(count)
            for _ in 0..<count { lists.append(try AuditCodec.readWords(&reader, limit: limits.prefixes)) }
            self = .prefixes(lists)
        case 5:
            let complete = try reader.readByte("complete flag")
            guard complete < 2 else { throw CodecError(.invalidValue, at: 1, "complete flag \(complete)") }
            self = .fetch(messages: try AuditCodec.readMessages(&reader), complete: complete == 1)
        case 6:
            let stored = try reader.readVarint("stored count")
            let refused = try reader.readVarint("refused count")
            self = .push(stored: Int(clamping: stored), refused: Int(clamping: refused))
        case 0x7f:
            let raw = try reader.readByte("refusal code")
            let detail = try reader.readString("refusal detail")
            self = .error(AuditRefusal(AuditRefusal.Code(rawValue: raw) ?? .badRequest, String(detail.prefix(512))))
        default:
            throw CodecError(.invalidValue, at: 0, "unknown audit answer kind \(kind)")
        }
        guard reader.isAtEnd else { throw CodecError(.invalidValue, at: reader.offset, "bytes after the answer") }
    }
}
