internal import WakuCore
internal import WakuSync

extension FuzzTarget {
    /// `ranges-structured`: large, valid-looking reconciliation payloads built from a short recipe,
    /// so the fuzzer reaches the sizes a hostile peer would send (millions of tiny ranges, huge
    /// item sets) without having to write megabytes of bytes itself.
    ///
    /// Each 4-byte step of the input is: a range kind (byte 0: 0 Skip, 1 Fingerprint, 2 item set,
    /// 3 empty reconciled item set), a repeat count (byte 1, times 2^(byte 2 & 15), up to a
    /// the node's caps in all), and an item count per item set (byte 3, times 16). The payload is
    /// encoded as our encoder would, then decoded and processed by a responder session under the
    /// node's limits: the decode must either hold within the limits or be refused as over a limit,
    /// and processing must keep the session's own caps.
    static func rangesStructured(_ input: [UInt8]) {
        let ranges = Self.recipe(input)
        let payload = RangesData(pubsubTopics: [SessionFixture.pubsubTopics[0]], ranges: ranges).encoded()
        let configuration = ReconciliationSession.Configuration(
            strategy: input.first.map { $0 & 1 == 0 ? .balanced : .nwaku } ?? .balanced
        )
        let limits = configuration.limits
        let decoded: RangesData
        do {
            decoded = try ReconciliationSession.decode(payload, configuration: configuration)
        } catch {
            invariant(
                error.code == .overLimit || error.code == .decode,
                "a payload our encoder wrote is refused for \(error)"
            )
            if error.code == .decode { invariant(ranges.isEmpty, "our own payload does not decode: \(error)") }
            return
        }
        invariant(decoded.ranges.count <= limits.payload.ranges, "decoded past the range limit")
        var session = ReconciliationSession(role: .responder, configuration: configuration)
        let index = SessionFixture.index(SessionFixture.ours)
        do {
            _ = try session.receive(decoded, size: payload.count, index: index)
        } catch {
            return
        }
        invariant(session.itemsToReceive.count <= limits.itemsToReceive, "more claimed items than the limit")
        invariant(session.openIntervals.count <= limits.openIntervals, "more open intervals than the limit")
    }

    /// A little past the node's caps (131 072 ranges, 1.5M items per payload), so recipes reach
    /// them without making every run huge.
    private static let maxRecipeRanges = 200_000
    private static let maxRecipeItems = 1_600_000

    /// The ranges a recipe describes: ascending, contiguous, one nanosecond or more apart.
    private static func recipe(_ input: [UInt8]) -> [SyncRange] {
        var ranges: [SyncRange] = []
        var time: Int64 = 1
        var random = SeededRandom(seed: UInt64(input.count))
        var offset = 1
        var itemsLeft = Self.maxRecipeItems
        while offset + 4 <= input.count, ranges.count < Self.maxRecipeRanges {
            let kind = input[offset] % 4
            let repeats = min(
                Int(input[offset + 1]) << Int(input[offset + 2] & 15),
                Self.maxRecipeRanges - ranges.count
            )
            let items = kind == 2 ? min(Int(input[offset + 3]) * 16, itemsLeft / max(1, repeats)) : 0
            itemsLeft -= items * repeats
            offset += 4
            for _ in 0..<repeats {
                let lower = SyncID.bound(time)
                time += 1 + Int64(items)
                let upper = SyncID.bound(time)
                let range: SyncRange.Kind
                switch kind {
                case 0: range = .skip
                case 1: range = .fingerprint(random.nextHash())
                case 2:
                    let set = (0..<items).map {
                        SyncID(timestamp: lower.timestamp + Int64($0), hash: random.nextHash())
                    }
                    range = .itemSet(ItemSet(items: set, isReconciled: false))
                default: range = .itemSet(ItemSet(items: [], isReconciled: true))
                }
                ranges.append(SyncRange(lower: lower, upper: upper, kind: range))
            }
        }
        return ranges
    }
}
