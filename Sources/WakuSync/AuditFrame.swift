package import WakuCore

/// One request of the archive audit (`/wakusync/audit/archive/1.0.0`, PROTOCOLS.md §12): the
/// initiator asks, the responder answers each request with one ``AuditResponse``, on one stream.
package enum AuditRequest: Equatable, Sendable {
    /// Opens the audit: the span `from..<to` and the pubsub topics (empty: every topic); answered
    /// with the span the responder agrees to and its day buckets there.
    case days(from: Int64, to: Int64, pubsubTopics: [String])
    /// The buckets of `level` (hour or minute) inside each of `parents` (day or hour starts).
    case children(level: AuditLevel, parents: [Int64])
    /// A look inside each of `minutes`: the hash prefixes when the minute is small, else its 16
    /// slices (by the hash's first four bits).
    case slices(minutes: [Int64])
    /// The hash prefixes of each slice.
    case prefixes([AuditSliceKey])
    /// The messages whose hash starts with each prefix, in its minute.
    case fetch([AuditPrefixKey])
    /// Messages the responder lacks, for it to judge and store.
    case push([TransferPayload])
}

/// The answer to one ``AuditRequest``.
package enum AuditResponse: Equatable, Sendable {
    /// The span agreed (the asked one clamped to the responder's retention and the future bound)
    /// and the non-empty day buckets overlapping it.
    case days(from: Int64, to: Int64, buckets: [AuditSummary])
    /// Per parent asked, in order, the non-empty child buckets.
    case children([[AuditSummary]])
    /// Per minute asked, in order.
    case slices([AuditMinuteView])
    /// Per slice asked, in order, the prefixes of the hashes in it.
    case prefixes([[UInt64]])
    /// The messages found; `complete` is false when the frame filled up before every prefix was
    /// served (the initiator asks again for the rest).
    case fetch(messages: [TransferPayload], complete: Bool)
    /// How many pushed messages were stored and refused.
    case push(stored: Int, refused: Int)
    /// The request was refused; the stream ends.
    case error(AuditRefusal)
}

/// A bucket as the audit sends it: start, count and a 16-byte digest of its fingerprint.
package struct AuditSummary: Equatable, Sendable {
    package var start: Int64
    package var count: Int64
    package var digest: AuditDigest

    package init(start: Int64, count: Int64, digest: AuditDigest) {
        self.start = start
        self.count = count
        self.digest = digest
    }

    /// The summary of a stored bucket.
    package init(_ bucket: AuditBucket) {
        self.init(start: bucket.start, count: bucket.fingerprint.count, digest: AuditDigest(bucket.fingerprint))
    }
}

/// The first 16 bytes of SHA-256 over a ``BucketFingerprint``'s canonical bytes.
package struct AuditDigest: Hashable, Sendable {
    package var high: UInt64
    package var low: UInt64

    package init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    package init(_ fingerprint: BucketFingerprint) {
        let bytes = fingerprint.digest(byteCount: 16)
        self.high = bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
        self.low = bytes.suffix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }
}

/// What the responder shows of one minute.
package enum AuditMinuteView: Equatable, Sendable {
    /// Small minutes: the first 8 bytes of every hash (in the span), ascending.
    case listed([UInt64])
    /// Larger minutes: 16 slices by the hash's first four bits, each a count and an 8-byte digest.
    case sliced([AuditSliceSummary])
}

/// One slice of a minute: how many hashes start with its four bits, and a digest of them.
package struct AuditSliceSummary: Equatable, Sendable {
    package var count: Int64
    package var digest: UInt64

    package init(count: Int64, digest: UInt64) {
        self.count = count
        self.digest = digest
    }

    package init(_ fingerprint: BucketFingerprint) {
        self.count = fingerprint.count
        self.digest = fingerprint.digest(byteCount: 8).reduce(0) { $0 << 8 | UInt64($1) }
    }
}

/// A slice: a minute and the four leading bits of the hashes in it.
package struct AuditSliceKey: Hashable, Sendable {
    package var minute: Int64
    package var nibble: UInt8

    package init(minute: Int64, nibble: UInt8) {
        self.minute = minute
        self.nibble = nibble
    }
}

/// A message named by its minute and the first 8 bytes of its hash.
package struct AuditPrefixKey: Hashable, Sendable {
    package var minute: Int64
    package var prefix: UInt64

    package init(minute: Int64, prefix: UInt64) {
        self.minute = minute
        self.prefix = prefix
    }
}

/// Why a responder refused a request.
package struct AuditRefusal: Equatable, Sendable, Error {
    package enum Code: UInt8, Sendable {
        /// A request over one of the limits (``AuditLimits``).
        case overLimit = 1
        /// A request out of order (no span opened, a level that is not hour or minute).
        case badRequest = 2
        /// Too many audits at once, or the shared byte budget is spent.
        case busy = 3
        /// The archive failed.
        case internalError = 4
    }

    package var code: Code
    package var detail: String

    package init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }
}
