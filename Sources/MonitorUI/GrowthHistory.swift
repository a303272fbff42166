package import NodeEvents

/// Messages stored per second and per source, for the archive pane's sparklines, plus cumulative
/// counts per source and per topic since the monitor started.
///
/// A fixed ring of one-second buckets per source keeps memory bounded however long it runs.
package struct GrowthHistory: Equatable, Sendable {
    /// Buckets kept per source (seconds).
    package static let bucketCount = 180
    /// Distinct topics counted by name; later ones are summed under ``otherTopics``.
    package static let topicLimit = 200
    /// The pooled name for topics beyond ``topicLimit``.
    package static let otherTopics = "(other topics)"

    private var counts: [Int]
    /// The bucket (seconds since the epoch) of the newest write; nil before the first.
    private var newestBucket: Int64?
    /// Messages stored per source since the monitor started.
    package private(set) var totals: [MessageSource: Int]
    /// Messages that were already in the archive.
    package private(set) var duplicates: Int
    /// Messages stored per content topic (at most ``topicLimit`` names).
    package private(set) var byContentTopic: [String: Int]
    /// Messages stored per pubsub topic (at most ``topicLimit`` names).
    package private(set) var byPubsubTopic: [String: Int]

    /// No history.
    package init() {
        self.counts = Array(repeating: 0, count: MessageSource.allCases.count * Self.bucketCount)
        self.newestBucket = nil
        self.totals = [:]
        self.duplicates = 0
        self.byContentTopic = [:]
        self.byPubsubTopic = [:]
    }

    /// Messages stored since the monitor started, all sources.
    package var total: Int { self.totals.values.reduce(0, +) }

    mutating func record(_ batch: StoredBatch, at now: Int64) {
        let bucket = Self.bucket(of: now)
        self.advance(to: bucket)
        let newest = self.newestBucket ?? bucket
        if newest - bucket < Int64(Self.bucketCount) {
            self.counts[Self.index(batch.source, bucket)] += batch.inserted
        }
        self.totals[batch.source, default: 0] += batch.inserted
        self.duplicates += batch.duplicates
        Self.add(batch.byContentTopic, to: &self.byContentTopic)
        Self.add(batch.byPubsubTopic, to: &self.byPubsubTopic)
    }

    /// Messages per bucket for the last `length` seconds up to `now`, oldest first; all sources
    /// summed when `source` is nil.
    package func series(_ source: MessageSource?, length: Int, at now: Int64) -> [Int] {
        let current = Self.bucket(of: now)
        let length = max(0, min(length, Self.bucketCount))
        return (0..<length).map { offset in
            let bucket = current - Int64(length - 1 - offset)
            guard let newest = self.newestBucket, bucket <= newest, newest - bucket < Int64(Self.bucketCount)
            else { return 0 }
            if let source { return self.counts[Self.index(source, bucket)] }
            return MessageSource.allCases.reduce(0) { $0 + self.counts[Self.index($1, bucket)] }
        }
    }

    /// Messages per second over the last `seconds` complete seconds before `now`.
    package func rate(_ source: MessageSource?, over seconds: Int = 10, at now: Int64) -> Double {
        let series = self.series(source, length: seconds + 1, at: now)
        return Double(series.dropLast().reduce(0, +)) / Double(max(1, seconds))
    }

    private mutating func advance(to bucket: Int64) {
        guard let newest = self.newestBucket else {
            self.newestBucket = bucket
            return
        }
        guard bucket > newest else { return }
        let steps = min(bucket - newest, Int64(Self.bucketCount))
        for step in 1...steps {
            for source in MessageSource.allCases { self.counts[Self.index(source, newest + step)] = 0 }
        }
        self.newestBucket = bucket
    }

    private static func bucket(of time: Int64) -> Int64 {
        time >= 0 ? time / Format.nanosecondsPerSecond : (time + 1) / Format.nanosecondsPerSecond - 1
    }

    private static func index(_ source: MessageSource, _ bucket: Int64) -> Int {
        let slot = Int(((bucket % Int64(Self.bucketCount)) + Int64(Self.bucketCount)) % Int64(Self.bucketCount))
        return Self.sourceIndex(source) * Self.bucketCount + slot
    }

    private static func sourceIndex(_ source: MessageSource) -> Int {
        switch source {
        case .sync: 0
        case .fetch: 1
        case .resume: 2
        case .import: 3
        case .publish: 4
        case .relay: 5
        }
    }

    private static func add(_ counts: [String: Int], to totals: inout [String: Int]) {
        for (topic, count) in counts {
            if totals[topic] != nil || totals.count < Self.topicLimit {
                totals[topic, default: 0] += count
            } else {
                totals[Self.otherTopics, default: 0] += count
            }
        }
    }
}
