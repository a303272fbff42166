internal import WakuCore
internal import WakuSync

extension FuzzTarget {
    /// `ranges-structured`: large, valid-looking reconciliation payloads built from a short recipe,
    /// so the fuzzer reaches the sizes a hostile peer would send (millions of tiny ranges, huge
    /// item sets) without having to write megabytes of bytes itself.
    ///
    /// After a strategy byte (bit 0: balanced or nwaku), each 4-byte step of the input is: a range
    /// kind (byte 0: 0 Skip, 1 Fingerprint, 2 item set, 3 empty reconciled item set), a repeat
    /// count (byte 1), a size byte (byte 2) and an item count per item set (byte 3). Most steps are
    /// small, so most inputs run fast: byte 1 & 63 ranges (0–63) of byte 3 & 7 items (0–7), each
    /// range 2^(byte 2 & 15) nanoseconds wide plus its items (so a few ranges reach across the
    /// fixture's items). A step whose size byte has its top four bits set (0xF0–0xFF) is large
    /// when the input's FNV-1a hash is a multiple of 64: byte 1 times 2^(byte 2 & 15) ranges of
    /// byte 3 times 16 items, 1 ns wide plus their items, so one such step can reach the node's
    /// caps. The hash keeps large inputs rare, one in 64 of those with such a step, among the
    /// mutants of a large input too (a condition on a step's bytes alone survives most mutations,
    /// and then the corpus's large entries took most of the run time). A recipe stops a little past
    /// the caps (`maxRecipeRanges`, `maxRecipeItems`). The payload is encoded as our encoder would, then decoded and processed by a responder session
    /// under the node's limits: the decode must either hold within the limits or be refused as over
    /// a limit, and processing must keep the session's own caps.
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

    /// A little past the node's caps (131 072 ranges, 1.5M items per payload), so a large step
    /// reaches them and no recipe builds much more.
    private static let maxRecipeRanges = 140_000
    private static let maxRecipeItems = 1_600_000

    /// The ranges a recipe describes: ascending, contiguous, one nanosecond or more apart.
    private static func recipe(_ input: [UInt8]) -> [SyncRange] {
        var ranges: [SyncRange] = []
        var time: Int64 = 1
        var random = SeededRandom(seed: UInt64(input.count))
        var offset = 1
        var itemsLeft = Self.maxRecipeItems
        let allowsLarge = Self.fnv1a(input) % 64 == 0
        while offset + 4 <= input.count, ranges.count < Self.maxRecipeRanges {
            let kind = input[offset] % 4
            let isLarge = allowsLarge && input[offset + 2] & 0xF0 == 0xF0
            let repeats = min(
                isLarge ? Int(input[offset + 1]) << Int(input[offset + 2] & 15) : Int(input[offset + 1] & 63),
                Self.maxRecipeRanges - ranges.count
            )
            let itemsPerSet = isLarge ? Int(input[offset + 3]) * 16 : Int(input[offset + 3] & 7)
            let items = kind == 2 ? min(itemsPerSet, itemsLeft / max(1, repeats)) : 0
            let gap: Int64 = isLarge ? 1 : 1 << Int64(input[offset + 2] & 15)
            itemsLeft -= items * repeats
            offset += 4
            for _ in 0..<repeats {
                let lower = SyncID.bound(time)
                time += gap + Int64(items)
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

    /// The 32-bit FNV-1a hash of `bytes`.
    private static func fnv1a(_ bytes: [UInt8]) -> UInt32 {
        bytes.reduce(2_166_136_261) { ($0 ^ UInt32($1)) &* 16_777_619 }
    }
}
