package import WakuCore

/// Bucket fingerprints per (level, topic, start), added up from hashes or from finer buckets: what
/// an insert batch adds to the stored buckets, what a rebuild computes from every message, and
/// what a check compares the stored buckets with. Both backends use it, so both store the same
/// fingerprints; `Topic` is whatever the backend keys topics by (an id in SQLite, the name in
/// PostgreSQL).
package struct AuditBucketTally<Topic: Hashable & Sendable>: Sendable {
    /// Where one bucket lives.
    package struct Key: Hashable, Sendable {
        package var level: AuditLevel
        package var start: Int64
        package var topic: Topic

        package init(level: AuditLevel, start: Int64, topic: Topic) {
            self.level = level
            self.start = start
            self.topic = topic
        }
    }

    package private(set) var buckets: [Key: BucketFingerprint] = [:]

    package init() {}

    /// Counts one message in its minute, hour and day.
    package mutating func insert(_ hash: MessageHash, timestamp: Int64, topic: Topic) {
        for level in AuditLevel.allCases {
            let key = Key(level: level, start: level.bucketStart(of: timestamp), topic: topic)
            self.buckets[key, default: .empty].insert(hash)
        }
    }

    /// Counts one message in its bucket at `level` only.
    package mutating func insert(_ hash: MessageHash, timestamp: Int64, topic: Topic, level: AuditLevel) {
        let key = Key(level: level, start: level.bucketStart(of: timestamp), topic: topic)
        self.buckets[key, default: .empty].insert(hash)
    }

    /// Adds a finer bucket's fingerprint into the bucket of `level` that holds it.
    package mutating func merge(_ fingerprint: BucketFingerprint, start: Int64, topic: Topic, into level: AuditLevel) {
        let key = Key(level: level, start: level.bucketStart(of: start), topic: topic)
        self.buckets[key, default: .empty].merge(fingerprint)
    }

    /// Adds up the minute buckets into hours and the hours into days (for a tally filled with
    /// ``insert(_:timestamp:topic:level:)`` at minutes only).
    package mutating func fillCoarserLevels() {
        for level in [AuditLevel.hour, .day] {
            guard let finer = level.finer else { continue }
            for (key, fingerprint) in self.buckets where key.level == finer {
                self.merge(fingerprint, start: key.start, topic: key.topic, into: level)
            }
        }
    }

    /// The buckets in (level, start) order, for writing them in a stable order.
    package var sorted: [(key: Key, fingerprint: BucketFingerprint)] {
        self.buckets.map { ($0.key, $0.value) }.sorted {
            ($0.key.level.rawValue, $0.key.start) < ($1.key.level.rawValue, $1.key.start)
        }
    }

    /// Compares this tally (computed from the messages) with what is stored: every bucket where
    /// the two disagree, a bucket missing on one side counting as empty.
    package func mismatches(against stored: [Key: BucketFingerprint]) -> [AuditBucketMismatch<Topic>] {
        var found: [AuditBucketMismatch<Topic>] = []
        for (key, computed) in self.buckets where stored[key] ?? .empty != computed {
            found.append(AuditBucketMismatch(key: key, stored: stored[key] ?? .empty, computed: computed))
        }
        for (key, fingerprint) in stored where self.buckets[key] == nil && !fingerprint.isEmpty {
            found.append(AuditBucketMismatch(key: key, stored: fingerprint, computed: .empty))
        }
        return found.sorted { ($0.key.level.rawValue, $0.key.start) < ($1.key.level.rawValue, $1.key.start) }
    }
}

/// One stored bucket that disagrees with the messages.
package struct AuditBucketMismatch<Topic: Hashable & Sendable>: Sendable {
    package var key: AuditBucketTally<Topic>.Key
    package var stored: BucketFingerprint
    package var computed: BucketFingerprint
}

/// What checking (and perhaps rebuilding) the stored bucket fingerprints found.
package struct AuditBucketCheck: Hashable, Sendable {
    /// One bucket that disagreed, for people.
    package struct Mismatch: Hashable, Sendable {
        package var level: AuditLevel
        package var start: Int64
        package var pubsubTopic: String
        package var storedCount: Int64
        package var computedCount: Int64

        package init(level: AuditLevel, start: Int64, pubsubTopic: String, storedCount: Int64, computedCount: Int64) {
            self.level = level
            self.start = start
            self.pubsubTopic = pubsubTopic
            self.storedCount = storedCount
            self.computedCount = computedCount
        }
    }

    /// Messages read.
    package var messages = 0
    /// Buckets the messages make (all levels and topics).
    package var buckets = 0
    /// Buckets that disagreed (all of them, even past ``examples``).
    package var mismatches = 0
    /// The first disagreeing buckets, in (level, start) order.
    package var examples: [Mismatch] = []
    /// Whether the stored buckets were replaced by the computed ones.
    package var rebuilt = false

    /// At most this many ``examples``.
    package static let exampleLimit = 20

    package init() {}

    /// Whether the stored buckets agreed with the messages.
    package var isConsistent: Bool { self.mismatches == 0 }
}

extension AuditBucketTally {
    /// The check report for this computed tally against `stored`, naming topics with `name`.
    package func check(
        against stored: [Key: BucketFingerprint],
        messages: Int,
        name: (Topic) throws -> String
    ) rethrows -> AuditBucketCheck {
        let found = self.mismatches(against: stored)
        var check = AuditBucketCheck()
        check.messages = messages
        check.buckets = self.buckets.count
        check.mismatches = found.count
        check.examples = try found.prefix(AuditBucketCheck.exampleLimit).map {
            AuditBucketCheck.Mismatch(
                level: $0.key.level,
                start: $0.key.start,
                pubsubTopic: try name($0.key.topic),
                storedCount: $0.stored.count,
                computedCount: $0.computed.count
            )
        }
        return check
    }
}
