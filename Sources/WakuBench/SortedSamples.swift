/// Measured values sorted once, to read percentiles from.
///
/// A percentile is the nearest rank: the smallest sample with at least that fraction of all
/// samples at or below it (the median of 1…4 is 2, its p99 is 4).
struct SortedSamples<Value: Comparable> {
    /// Ascending.
    let values: [Value]

    init(_ values: [Value]) {
        self.values = values.sorted()
    }

    /// The sample at `fraction` (0…1) by nearest rank; nil without samples.
    func percentile(_ fraction: Double) -> Value? {
        guard !self.values.isEmpty else { return nil }
        let rank = Int((Double(self.values.count) * fraction).rounded(.up))
        return self.values[min(self.values.count - 1, max(0, rank - 1))]
    }

    /// The median (the 0.5 percentile).
    var median: Value? { self.percentile(0.5) }

    /// The smallest sample.
    var minimum: Value? { self.values.first }

    /// The largest sample.
    var maximum: Value? { self.values.last }
}
