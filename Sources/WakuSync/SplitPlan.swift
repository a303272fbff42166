internal import Foundation

/// How `balanced` answers a differing range it cannot settle at once, by the level of the reply
/// and the density of differences observed in the payload (PERFORMANCE.md §4).
///
/// Levels count payloads from the initiator's first (level 0). Without a density (the first split
/// of a session) a range of `n` items is cut into `n^0.6` parts. Before the last split level the
/// parts are sized to hold about ``targetDifferences`` differences each, so most differing parts
/// hold one, which the side holding it recognises from the fingerprints. At the last split level
/// the part count, or an item set, is chosen by the expected bytes of the rest of the session;
/// after it, differing ranges travel as item sets.
final class SplitPlan {
    enum Answer: Equatable {
        case items
        /// Fingerprint parts; one part hands our fingerprint of the whole range back.
        case split(Int)
    }

    let strategy: SyncStrategy
    let level: Int
    /// Differences per item, when the payload allowed an estimate.
    let density: Double?
    private var lastLevelAnswers: [Int: Answer] = [:]

    /// Most parts one split makes.
    static let maxParts = 4096
    /// Expected differences per part before the last split level.
    static let targetDifferences = 0.4
    /// After the last split level, larger ranges are still split rather than listed.
    static let lateItemLimit = 256
    /// Ranges expected to hold more differences than this are not searched for a single one.
    static let peelDifferences = 4.0
    /// Without a density, ranges up to this many items are searched for a single difference.
    static let peelItems = 4096

    /// Byte costs of the model: a fingerprint part with its bound, an item in an item set, an
    /// item-set range besides its items, a difference in a sparse reply, a settled single.
    static let partBytes = 39.0
    static let itemBytes = 37.0
    static let itemSetBytes = 10.0
    static let replyBytes = 30.0
    static let singleBytes = 50.0

    init(strategy: SyncStrategy, level: Int, density: Double?) {
        self.strategy = strategy
        self.level = level
        self.density = density
    }

    /// Whether a differing range of `count` items may well hold a single difference.
    func worthPeeling(count: Int) -> Bool {
        guard let density else { return count <= Self.peelItems }
        return density * Double(count) <= Self.peelDifferences
    }

    /// How to answer a differing range of `count` items that holds more than one of ours.
    func answer(count: Int) -> Answer {
        if count <= self.strategy.itemSetThreshold { return .items }
        if self.level > BalancedProcessing.lastSplitLevel && count <= Self.lateItemLimit { return .items }
        guard let density else {
            return .split(self.clamped(pow(Double(count), 0.6).rounded(.up), count: count))
        }
        if self.level >= BalancedProcessing.lastSplitLevel {
            if let known = self.lastLevelAnswers[count] { return known }
            let answer = self.lastLevelAnswer(count: count, density: density)
            self.lastLevelAnswers[count] = answer
            return answer
        }
        let expected = Self.expectedDifferences(Double(count) * density)
        return .split(self.clamped((expected / Self.targetDifferences).rounded(.up), count: count))
    }

    private func clamped(_ parts: Double, count: Int) -> Int {
        min(count, Self.maxParts, max(self.strategy.partitions, Int(parts)))
    }

    /// The cheapest answer at the last split level under a Poisson model: the peer settles parts
    /// holding a single difference of its own and lists every other differing part.
    private func lastLevelAnswer(count: Int, density: Double) -> Answer {
        let mean = Double(count) * density
        let weights = Self.differenceWeights(mean)
        let expected = weights.enumerated().reduce(0.0) { $0 + Double($1.offset) * $1.element }
        var best = Answer.items
        var bestCost = Self.itemBytes * Double(count) + Self.itemSetBytes + Self.replyBytes * expected
        for parts in 1...min(count, 64) {
            let share = 1 / Double(parts)
            let listed = Self.itemBytes * Double(count) * share + Self.itemSetBytes
            var perPart = 0.0
            for (differences, weight) in weights.enumerated() where weight > 0 {
                let k = Double(differences)
                let none = pow(1 - share, k)
                let one = k * share * pow(1 - share, k - 1)
                let cost =
                    one * (Self.singleBytes / 2 + (listed + Self.replyBytes) / 2)
                    + (1 - none - one) * listed + Self.replyBytes * (k * share - one)
                perPart += weight * cost
            }
            let cost = Self.partBytes * Double(parts) + Double(parts) * perPart
            if cost < bestCost {
                bestCost = cost
                best = .split(parts)
            }
        }
        return best
    }

    /// P(k differences) for a range known to differ that does not hold a single one of ours:
    /// Poisson with a single difference counted at half weight (it is the peer's half the time).
    static func differenceWeights(_ mean: Double) -> [Double] {
        let limit = Int(mean + 6 * mean.squareRoot() + 6)
        var weights = [0.0]
        var probability = exp(-mean)
        for k in 1...limit {
            probability *= mean / Double(k)
            weights.append(k == 1 ? probability / 2 : probability)
        }
        let total = weights.reduce(0, +)
        return total > 0 ? weights.map { $0 / total } : [0, 1]
    }

    /// Expected differences in a range with `mean` differences on average, knowing it holds
    /// more than a single one of ours.
    static func expectedDifferences(_ mean: Double) -> Double {
        guard mean > 1e-9 else { return 1 }
        let one = mean * exp(-mean)
        let differing = 1 - exp(-mean) - one / 2
        guard differing > 1e-12 else { return 1 }
        return max(1, (mean - one / 2) / differing)
    }

    /// Differences per item, estimated from how many of a payload's fingerprint ranges differ:
    /// each range of `n` items differs with probability `1 - exp(-density * n)`. Nil when the
    /// payload had fewer than two fingerprint ranges (nothing to learn from).
    ///
    /// Newton's method from zero: the expected count of differing ranges is concave in the
    /// density, so every step stays below the root and the iteration converges from below.
    static func density(counts: [Int], mismatched: Int) -> Double? {
        guard counts.count >= 2, mismatched > 0 else { return nil }
        // With every range differing the estimate has no upper bound; count half a match. Ranges
        // where we hold nothing differ whatever the density, and tell nothing about it.
        let occupied = counts.reduce(0) { $0 + ($1 > 0 ? 1 : 0) }
        let target = min(Double(mismatched) - (mismatched == counts.count ? 0.5 : 0), Double(occupied) - 0.5)
        guard target > 0 else { return nil }
        var density = 0.0
        for _ in 0..<64 {
            var differing = 0.0
            var slope = 0.0
            for count in counts where count > 0 {
                let miss = exp(-density * Double(count))
                differing += 1 - miss
                slope += Double(count) * miss
            }
            guard slope > 0 else { break }
            let step = (target - differing) / slope
            density += step
            if step <= density * 1e-6 { break }
        }
        return density > 0 ? density : nil
    }
}
