internal import WakuArchive
internal import WakuCore
internal import WakuSync

/// Reading the archive for many buckets at once: contiguous buckets become one query.
enum AuditRuns {
    /// The distinct `starts` (each a bucket of `length`) merged into runs of contiguous buckets,
    /// ascending.
    static func contiguous(_ starts: [Int64], length: Int64, longest: Int = .max) -> [Range<Int64>] {
        var runs: [Range<Int64>] = []
        var count = 0
        for start in Set(starts).sorted() {
            if let last = runs.last, last.upperBound == start, count < longest {
                runs[runs.count - 1] = last.lowerBound..<start.addingSaturated(length)
                count += 1
            } else {
                runs.append(start..<start.addingSaturated(length))
                count = 1
            }
        }
        return runs
    }

    /// The hashes in each of `minutes` (minute starts; others are ignored), on `topics`, inside
    /// `from..<to`, at most `limit` in all.
    ///
    /// - Throws: ``AuditRefusal`` (over limit) when the minutes hold more than `limit` hashes.
    static func hashes(
        in minutes: [Int64],
        from: Int64,
        to: Int64,
        topics: [String],
        archive: any MessageArchive,
        limit: Int
    ) async throws -> [Int64: [MessageHash]] {
        let aligned = minutes.filter { AuditLevel.minute.bucketStart(of: $0) == $0 }
        var byMinute: [Int64: [MessageHash]] = [:]
        var total = 0
        for run in Self.contiguous(aligned, length: AuditLevel.minute.nanoseconds, longest: 60) {
            let lower = max(run.lowerBound, from)
            let upper = min(run.upperBound, to)
            guard lower < upper else { continue }
            let items = try await archive.auditItems(
                from: lower,
                to: upper,
                pubsubTopics: topics,
                limit: limit - total + 1
            )
            total += items.count
            guard total <= limit else {
                throw AuditRefusal(.overLimit, "the minutes asked for hold more than \(limit) messages")
            }
            for item in items {
                byMinute[AuditLevel.minute.bucketStart(of: item.timestamp), default: []].append(item.hash)
            }
        }
        return byMinute
    }
}
