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

/// One message as the archive audit sees it below the minute buckets: its timestamp and hash.
package struct AuditItem: Hashable, Sendable {
    package var timestamp: Int64
    package var hash: MessageHash

    package init(timestamp: Int64, hash: MessageHash) {
        self.timestamp = timestamp
        self.hash = hash
    }
}
