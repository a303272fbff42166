/// One bucket's fingerprint at one level, over the pubsub topics asked for.
package struct AuditBucket: Hashable, Sendable {
    package var level: AuditLevel
    /// The bucket's start, nanoseconds since the Unix epoch.
    package var start: Int64
    package var fingerprint: BucketFingerprint

    package init(level: AuditLevel, start: Int64, fingerprint: BucketFingerprint) {
        self.level = level
        self.start = start
        self.fingerprint = fingerprint
    }

    /// The first nanosecond after the bucket.
    package var end: Int64 { self.start &+ self.level.nanoseconds }
}

extension Array where Element == AuditBucket {
    /// Adds a bucket read from one topic's row: merged into the last bucket when it has the same
    /// start (rows come ordered by start), so the list holds one bucket per start over all topics.
    package mutating func appendMerging(_ fingerprint: BucketFingerprint, start: Int64, level: AuditLevel) {
        if let last = self.last, last.start == start {
            self[self.count - 1].fingerprint.merge(fingerprint)
        } else {
            self.append(AuditBucket(level: level, start: start, fingerprint: fingerprint))
        }
    }
}

/// One message as the archive audit sees it below the minute buckets: its timestamp and hash.
package struct AuditItem: Hashable, Sendable {
    package var timestamp: Int64
    package var hash: MessageHash

    package init(timestamp: Int64, hash: MessageHash) {
        self.timestamp = timestamp
        self.hash = hash
    }
}
