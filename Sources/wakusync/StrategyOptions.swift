internal import ArgumentParser
internal import WakuSync

extension SyncStrategy.Kind: ExpressibleByArgument {}

/// `--strategy`, `--threshold`, `--partitions`.
struct StrategyOptions: ParsableArguments {
    @Option(help: "Range processing: balanced (ours) or nwaku (nwaku master's, exactly).")
    var strategy: SyncStrategy.Kind = .balanced

    @Option(help: "Item-set threshold (default: 4 balanced, 100 nwaku).")
    var threshold: Int?

    @Option(help: "Partitions per split (default: 4 balanced, 8 nwaku).")
    var partitions: Int?

    func validate() throws {
        if let threshold = self.threshold, threshold < 0 { throw ValidationError("--threshold cannot be negative") }
        if let partitions = self.partitions, partitions < 2 { throw ValidationError("--partitions must be at least 2") }
    }

    var resolved: SyncStrategy {
        var strategy = SyncStrategy.defaults(for: self.strategy)
        if let threshold = self.threshold { strategy.itemSetThreshold = threshold }
        if let partitions = self.partitions { strategy.partitions = partitions }
        return strategy
    }
}
