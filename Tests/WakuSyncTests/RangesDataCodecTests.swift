import Foundation
import Testing
import WakuCore
import WakuSync
import WakuTestSupport

@Suite("RangesData codec")
struct RangesDataCodecTests {
    static func vectors() throws -> [[String: Any]] {
        try #require(try Vectors.json("sync_payloads.json")["vectors"] as? [[String: Any]])
    }

    @Test("our encoder reproduces nwaku's bytes for every vector of sync_payloads.json")
    func encodeVectors() throws {
        let vectors = try Self.vectors()
        #expect(vectors.count == 6)
        for vector in vectors {
            let payload = try SyncFixtures.payload(
                pubsubTopics: vector["pubsub_topics"] as? [String] ?? [],
                contentTopics: vector["content_topics"] as? [String] ?? [],
                ranges: vector["ranges"] as? [[String: Any]] ?? []
            )
            let name = vector["name"] as? String ?? "?"
            #expect(payload.encoded().hexString == vector["encoded_hex"] as? String, "\(name)")
            let frame = Varint.encode(UInt64(payload.encoded().count)) + payload.encoded()
            #expect(frame.hexString == vector["length_prefixed_frame_hex"] as? String, "\(name)")
        }
    }

    @Test("our decoder reconstructs the bounds nwaku's decoder reconstructs")
    func decodeVectors() throws {
        for vector in try Self.vectors() {
            let decoded = try RangesData(decoding: try Hex.decode(try #require(vector["encoded_hex"] as? String)))
            let expectedJSON = try #require(vector["decoded_by_nwaku"] as? [String: Any])
            let expected = try SyncFixtures.payload(
                pubsubTopics: expectedJSON["pubsub_topics"] as? [String] ?? [],
                contentTopics: expectedJSON["content_topics"] as? [String] ?? [],
                ranges: expectedJSON["ranges"] as? [[String: Any]] ?? []
            )
            #expect(decoded == expected, "\(vector["name"] ?? "?")")
        }
    }

    @Test("payloads of 0 or 1 byte decode as no ranges; one trailing byte is ignored like nwaku")
    func shortPayloads() throws {
        #expect(try RangesData(decoding: []) == RangesData())
        #expect(try RangesData(decoding: [0]) == RangesData())
        #expect(try RangesData(decoding: [7]) == RangesData())
        let payload = RangesData(ranges: [Self.range(0, 10, .skip), Self.range(10, 20, .fingerprint(.max))])
        #expect(try RangesData(decoding: payload.encoded() + [0x42]) == payload)
    }

    static func range(_ lower: Int64, _ upper: Int64, _ kind: SyncRange.Kind) -> SyncRange {
        SyncRange(
            lower: .bound(1_700_000_000_000_000_000 + lower),
            upper: .bound(1_700_000_000_000_000_000 + upper),
            kind: kind
        )
    }

    @Test("round trip of a large mixed payload, equal timestamps included")
    func roundTrip() throws {
        var generator = SeededGenerator(seed: 7)
        var ranges: [SyncRange] = []
        var time: Int64 = 0
        for index in 0..<2_000 {
            let upper = time + Int64(generator.next() % 1_000_000)
            let kind: SyncRange.Kind
            switch index % 3 {
            case 0: kind = .skip
            case 1: kind = .fingerprint(generator.nextHash())
            default:
                var items = (0..<Int(generator.next() % 5)).map { _ in
                    SyncID(timestamp: time + Int64(generator.next() % 1000), hash: generator.nextHash())
                }
                items.append(SyncID(timestamp: items.last?.timestamp ?? time, hash: generator.nextHash()))
                kind = .itemSet(ItemSet(items: items.sorted(), isReconciled: index % 2 == 0))
            }
            ranges.append(Self.range(time, upper, kind))
            time = upper
        }
        let payload = RangesData(
            pubsubTopics: ["/waku/2/rs/1/0", "/waku/2/rs/1/1"],
            contentTopics: ["/a/1/b/c"],
            ranges: ranges
        )
        let decoded = try RangesData(decoding: payload.encoded())
        // Bounds decode with zero hashes; a zero time delta carries a hash prefix.
        #expect(decoded.ranges.count == payload.ranges.count)
        #expect(decoded.ranges.map(\.kind) == payload.ranges.map(\.kind))
        #expect(decoded.ranges.map(\.upper.timestamp) == payload.ranges.map(\.upper.timestamp))
        #expect(decoded.pubsubTopics == payload.pubsubTopics && decoded.contentTopics == payload.contentTopics)
        #expect(decoded.encoded() == payload.encoded())
    }
}

@Suite("RangesData decoder on malformed input")
struct RangesDataMalformedTests {
    static let valid = RangesData(
        pubsubTopics: ["/waku/2/rs/1/0"],
        ranges: [
            SyncRange(
                lower: .bound(1_700_000_000_000_000_000),
                upper: .bound(1_700_000_000_500_000_000),
                kind: .fingerprint(.max)
            ),
            SyncRange(
                lower: .bound(1_700_000_000_500_000_000),
                upper: .bound(1_700_000_001_000_000_000),
                kind: .itemSet(
                    ItemSet(items: [SyncID(timestamp: 1_700_000_000_600_000_000, hash: .max)], isReconciled: false)
                )
            ),
        ]
    ).encoded()

    @Test("every truncation of a valid payload is an error or a shorter valid payload, never a crash")
    func truncations() {
        for length in 2..<Self.valid.count {
            do {
                let decoded = try RangesData(decoding: Array(Self.valid.prefix(length)))
                #expect(decoded.ranges.count <= 2)
            } catch {
                #expect(error.offset <= length)
            }
        }
    }

    @Test("an unknown range type names its byte offset")
    func unknownType() throws {
        // topics: 0, 0; T0; dt; type 3
        let bytes = [0, 0] + Varint.encode(1_700_000_000_000_000_000) + Varint.encode(5) + [3, 0, 0]
        let error = #expect(throws: CodecError.self) { try RangesData(decoding: bytes) }
        #expect(error?.code == .invalidValue)
        #expect(error?.offset == 12)
        #expect(error?.description.contains("unknown range type 3") == true)
    }

    @Test("an item count larger than the bytes left is refused before allocating")
    func hugeItemCount() {
        let bytes =
            [0, 0] + Varint.encode(1_700_000_000_000_000_000) + Varint.encode(5) + [2] + Varint.encode(UInt64(1) << 60)
            + [0]
        let error = #expect(throws: CodecError.self) { try RangesData(decoding: bytes) }
        #expect(error?.code == .tooLarge)
        #expect(error?.offset == 13)
    }

    @Test("a topic count larger than the payload is refused")
    func hugeTopicCount() {
        let error = #expect(throws: CodecError.self) { try RangesData(decoding: Varint.encode(1_000_000) + [1, 2]) }
        #expect(error?.code == .tooLarge)
        #expect(error?.offset == 0)
    }

    @Test("timestamps beyond int64 are an overflow error")
    func timestampOverflow() {
        let firstBound = [0, 0] + Varint.encode(UInt64(Int64.max) + 1) + [0, 0]
        #expect((#expect(throws: CodecError.self) { try RangesData(decoding: firstBound) })?.code == .overflow)
        let sum = [0, 0] + Varint.encode(UInt64(Int64.max) - 1) + Varint.encode(5) + [0]
        let error = #expect(throws: CodecError.self) { try RangesData(decoding: sum) }
        #expect(error?.code == .overflow)
        #expect(error?.offset == 11)
    }

    @Test("a truncated varint, a bad reconciled flag and an over-long hash prefix are errors")
    func otherErrors() {
        let truncated: [UInt8] = [0, 0, 0x80, 0x80]
        #expect((#expect(throws: CodecError.self) { try RangesData(decoding: truncated) })?.code == .truncated)
        var flag = Self.valid
        flag[flag.count - 1] = 2
        #expect((#expect(throws: CodecError.self) { try RangesData(decoding: flag) })?.code == .invalidValue)
        let prefix = [0, 0] + Varint.encode(1_700_000_000_000_000_000) + [0, 33] + Array(repeating: 0, count: 34)
        #expect((#expect(throws: CodecError.self) { try RangesData(decoding: prefix) })?.code == .invalidValue)
    }

    @Test("an oversized payload is refused before it is parsed")
    func oversized() {
        let error = #expect(throws: CodecError.self) { try RangesData(decoding: Self.valid, maxSize: 10) }
        #expect(error?.code == .overLimit)
    }

    @Test("a payload with more ranges or items than its limits is refused while decoding")
    func countLimits() throws {
        // 50 000 Skip ranges of 2 bytes each: 100 kB that would decode to about 6 MB of ranges.
        var tiny = [0, 0] + Varint.encode(1_700_000_000_000_000_000)
        for _ in 0..<50_000 { tiny += [1, 0] }
        let limits = PayloadLimits(ranges: 1_000, items: 10)
        let ranges = #expect(throws: CodecError.self) { try RangesData(decoding: tiny, limits: limits) }
        #expect(ranges?.code == .overLimit)
        #expect(ranges.map { $0.offset < 4_000 } == true, "stops at the limit, not at the end")
        #expect(try RangesData(decoding: tiny).ranges.count == 50_000)
        // Two item sets of 8 items: the second goes past a limit of 10 items in all.
        let items = (0..<8).map { SyncID(timestamp: 1_700_000_000_000_000_000 + Int64($0), hash: .max) }
        let payload = RangesData(ranges: [
            SyncRange(
                lower: .bound(1_700_000_000_000_000_000),
                upper: .bound(1_700_000_000_000_001_000),
                kind: .itemSet(ItemSet(items: items, isReconciled: false))
            ),
            SyncRange(
                lower: .bound(1_700_000_000_000_001_000),
                upper: .bound(1_700_000_000_000_002_000),
                kind: .itemSet(
                    ItemSet(
                        items: items.map { SyncID(timestamp: $0.timestamp + 1_000, hash: $0.hash) },
                        isReconciled: false
                    )
                )
            ),
        ]).encoded()
        let many = #expect(throws: CodecError.self) { try RangesData(decoding: payload, limits: limits) }
        #expect(many?.code == .overLimit)
        #expect(try RangesData(decoding: payload, limits: PayloadLimits(ranges: 2, items: 16)).ranges.count == 2)
    }

    @Test("random garbage never crashes the decoder")
    func garbage() {
        var generator = SeededGenerator(seed: 99)
        for _ in 0..<5_000 {
            let length = Int(generator.next() % 200)
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            _ = try? RangesData(decoding: bytes)
        }
        var mutated = Self.valid
        for index in 0..<mutated.count {
            for value: UInt8 in [0, 1, 2, 0x7f, 0x80, 0xff] {
                let saved = mutated[index]
                mutated[index] = value
                _ = try? RangesData(decoding: mutated)
                mutated[index] = saved
            }
        }
    }
}
