package import WakuCore

/// The audit's decisions, on values: which buckets differ, how a minute is shown, which hashes
/// each side lacks (PROTOCOLS.md §12.2). Both the initiator and the responder use it, so they
/// slice and list minutes the same way.
package enum AuditComparison {
    /// The starts of the buckets where the two sides differ (by count or digest), a bucket missing
    /// on one side counting as empty, ascending; only starts accepted by `isWanted`.
    package static func differing(
        ours: [Int64: BucketFingerprint],
        theirs: [AuditSummary],
        isWanted: (Int64) -> Bool = { _ in true }
    ) -> [Int64] {
        var theirsByStart: [Int64: AuditSummary] = [:]
        for summary in theirs { theirsByStart[summary.start] = summary }
        var starts = Set<Int64>()
        for (start, fingerprint) in ours where isWanted(start) {
            let summary = theirsByStart[start]
            if summary?.count ?? 0 != fingerprint.count || summary?.digest != AuditDigest(fingerprint) {
                starts.insert(start)
            }
        }
        for summary in theirs where ours[summary.start] == nil && summary.count > 0 && isWanted(summary.start) {
            starts.insert(summary.start)
        }
        return starts.sorted()
    }

    /// The 16 slices of a minute's hashes, by their first four bits.
    package static func slices(of hashes: [MessageHash]) -> [BucketFingerprint] {
        var slices = [BucketFingerprint](repeating: .empty, count: 16)
        for hash in hashes { slices[Int(Self.nibble(of: hash))].insert(hash) }
        return slices
    }

    /// How a responder shows a minute holding `hashes`: listed when small, sliced otherwise.
    package static func view(of hashes: [MessageHash], limits: AuditLimits) -> AuditMinuteView {
        if hashes.count <= limits.listedMinute { return .listed(hashes.map(\.w0).sorted()) }
        return .sliced(Self.slices(of: hashes).map(AuditSliceSummary.init))
    }

    /// The slices (nibbles) where our hashes and the peer's summaries differ.
    package static func differingSlices(ours: [MessageHash], theirs: [AuditSliceSummary]) -> [UInt8] {
        let mine = Self.slices(of: ours)
        return (0..<16).compactMap { index in
            theirs.indices.contains(index) && AuditSliceSummary(mine[index]) == theirs[index] ? nil : UInt8(index)
        }
    }

    /// The hashes whose first four bits are `nibble`.
    package static func hashes(_ hashes: [MessageHash], inSlice nibble: UInt8) -> [MessageHash] {
        hashes.filter { Self.nibble(of: $0) == nibble }
    }

    /// Our hashes the peer lacks (their prefix is not among the peer's) and the peer's prefixes we
    /// lack (no hash of ours starts with them), for one minute or slice.
    package static func lacking(
        ours: [MessageHash],
        theirPrefixes: [UInt64]
    ) -> (theyLack: [MessageHash], weLack: [UInt64]) {
        let theirs = Set(theirPrefixes)
        let mine = Set(ours.map(\.w0))
        return (ours.filter { !theirs.contains($0.w0) }.sorted(), theirs.subtracting(mine).sorted())
    }

    /// The first four bits of a hash.
    package static func nibble(of hash: MessageHash) -> UInt8 { UInt8(truncatingIfNeeded: hash.w0 >> 60) }
}
