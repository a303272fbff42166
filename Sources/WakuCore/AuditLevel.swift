/// The time buckets the archive keeps a ``BucketFingerprint`` for, per pubsub topic: UTC minutes,
/// hours and days, each bucket starting at a multiple of its length since the Unix epoch.
///
/// The archive audit compares days first, then the hours of the days that differ, then their
/// minutes (PROTOCOLS.md §12).
package enum AuditLevel: Int, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    case minute = 0
    case hour = 1
    case day = 2

    /// The bucket length in nanoseconds.
    package var nanoseconds: Int64 {
        switch self {
        case .minute: 60_000_000_000
        case .hour: 3_600_000_000_000
        case .day: 86_400_000_000_000
        }
    }

    /// The next finer level, nil for minutes.
    package var finer: AuditLevel? { AuditLevel(rawValue: self.rawValue - 1) }

    /// How many buckets of the next finer level one bucket holds (24 hours a day, 60 minutes an
    /// hour), nil for minutes.
    package var childCount: Int? {
        guard let finer else { return nil }
        return Int(self.nanoseconds / finer.nanoseconds)
    }

    /// The start of the bucket holding `timestamp` (rounded toward minus infinity; `Int64.min`
    /// for the first, partial bucket of the range).
    package func bucketStart(of timestamp: Int64) -> Int64 {
        let length = self.nanoseconds
        let (quotient, remainder) = timestamp.quotientAndRemainder(dividingBy: length)
        let (start, overflow) = (remainder < 0 ? quotient - 1 : quotient).multipliedReportingOverflow(by: length)
        return overflow ? .min : start
    }

    /// The bucket starts of this level in `from..<to`, after rounding `from` down to a bucket.
    package func bucketStarts(from: Int64, to: Int64) -> StrideTo<Int64> {
        stride(from: self.bucketStart(of: from), to: to, by: Int(self.nanoseconds))
    }

    package var description: String {
        switch self {
        case .minute: "minute"
        case .hour: "hour"
        case .day: "day"
        }
    }

    package static func < (lhs: AuditLevel, rhs: AuditLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}
