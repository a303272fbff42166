internal import NodeEvents
internal import WakuArchive
internal import WakuCore
internal import WakuSync

extension ArchiveAudit {
    /// Inside the differing minutes: the peer lists small minutes and slices large ones; the
    /// slices that differ are listed next. Minutes go in chunks that keep both sides under the
    /// per-request limits, each chunk taking two round trips at most.
    func compareHashes(
        _ minutes: [(minute: Int64, ours: Int64, theirs: Int64)],
        _ span: Range<Int64>,
        _ topics: [String],
        _ exchange: inout AuditExchange,
        _ findings: inout AuditFindings,
        _ report: inout AuditReport
    ) async throws {
        var done = 0
        for chunk in Self.chunks(of: minutes, limits: self.limits) {
            // Our read runs while the peer reads its own.
            async let reading = AuditRuns.hashes(
                in: chunk.map(\.minute),
                from: span.lowerBound,
                to: span.upperBound,
                topics: topics,
                archive: self.archive,
                limit: self.limits.itemsRead
            )
            let answer = try await exchange.ask(.slices(minutes: chunk.map(\.minute)))
            let ours = try await reading
            guard case .slices(let views) = answer, views.count == chunk.count else {
                throw NodeError("the peer answered a slices request with something else")
            }
            var slices: [AuditSliceKey] = []
            var expected = 0
            for (entry, view) in zip(chunk, views) {
                let mine = ours[entry.minute] ?? []
                switch view {
                case .listed(let prefixes):
                    let (theyLack, weLack) = AuditComparison.lacking(ours: mine, theirPrefixes: prefixes)
                    findings.record(
                        minute: entry.minute,
                        ours: entry.ours,
                        theirs: entry.theirs,
                        theyLack: theyLack,
                        weLack: weLack
                    )
                case .sliced(let summaries):
                    var differing = AuditComparison.differingSlices(ours: mine, theirs: summaries)
                    // Every slice agreed though the minute did not: an 8-byte digest collided or
                    // the peer's buckets and items disagree. Listing every slice settles it.
                    if differing.isEmpty { differing = (0..<16).map(UInt8.init) }
                    slices += differing.map { AuditSliceKey(minute: entry.minute, nibble: $0) }
                    expected += differing.reduce(0) { $0 + Int(summaries[Int($1)].count) }
                }
            }
            try await self.comparePrefixes(slices, expected: expected, chunk, ours, &exchange, &findings)
            done += chunk.count
            self.progress(report, .hashes, exchange, done: done, total: minutes.count)
            if findings.isOverLimit { return }
        }
    }

    /// Lists the differing slices at the peer and records what each side lacks in them.
    private func comparePrefixes(
        _ slices: [AuditSliceKey],
        expected: Int,
        _ chunk: ArraySlice<(minute: Int64, ours: Int64, theirs: Int64)>,
        _ ours: [Int64: [MessageHash]],
        _ exchange: inout AuditExchange,
        _ findings: inout AuditFindings
    ) async throws {
        guard !slices.isEmpty else { return }
        let counts = Dictionary(
            chunk.map { ($0.minute, ($0.ours, $0.theirs)) },
            uniquingKeysWith: { first, _ in first }
        )
        // The peer's counts say how many prefixes each slice holds; keep each answer well inside
        // its prefix limit.
        let perRequest = max(1, min(self.limits.slices, slices.count * self.limits.prefixes / 2 / max(1, expected)))
        for part in slices.chunked(by: perRequest) {
            let keys = Array(part)
            guard case .prefixes(let lists) = try await exchange.ask(.prefixes(keys)), lists.count == keys.count else {
                throw NodeError("the peer answered a prefixes request with something else")
            }
            for (key, list) in zip(keys, lists) {
                let mine = AuditComparison.hashes(ours[key.minute] ?? [], inSlice: key.nibble)
                let (theyLack, weLack) = AuditComparison.lacking(ours: mine, theirPrefixes: list)
                let (oursCount, theirsCount) = counts[key.minute] ?? (0, 0)
                findings.record(
                    minute: key.minute,
                    ours: oursCount,
                    theirs: theirsCount,
                    theyLack: theyLack,
                    weLack: weLack
                )
            }
        }
    }

    /// Consecutive minutes grouped so that neither side reads more than 90 % of its item limit (the
    /// minute counts bound the reads; the margin is for messages arriving meanwhile) nor
    /// asks about more minutes than a request may name.
    static func chunks(
        of minutes: [(minute: Int64, ours: Int64, theirs: Int64)],
        limits: AuditLimits
    ) -> [ArraySlice<(minute: Int64, ours: Int64, theirs: Int64)>] {
        var chunks: [ArraySlice<(minute: Int64, ours: Int64, theirs: Int64)>] = []
        var start = 0
        var items = 0
        for (index, entry) in minutes.enumerated() {
            let size = Int(clamping: max(entry.ours, entry.theirs))
            if index > start && (index - start >= limits.minutes || items + size > limits.itemsRead / 10 * 9) {
                chunks.append(minutes[start..<index])
                start = index
                items = 0
            }
            items += size
        }
        if start < minutes.count { chunks.append(minutes[start..<minutes.count]) }
        return chunks
    }
}
