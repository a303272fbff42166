import Testing
import WakuCore

@Suite("Varint and ByteReader")
struct ByteReaderTests {
    @Test(
        "varints are minimal LEB128",
        arguments: [
            (UInt64(0), "00"), (127, "7f"), (128, "8001"), (300, "ac02"),
            (1_700_000_000_000_000_000, "8080a8b1e39fe7cb17"),
            (UInt64.max, "ffffffffffffffffff01"),
        ]
    )
    func encode(value: UInt64, hex: String) throws {
        #expect(Varint.encode(value).hexString == hex)
        #expect(Varint.size(of: value) == hex.count / 2)
        var reader = ByteReader(try Hex.decode(hex))
        #expect(try reader.readVarint("v") == value)
        #expect(reader.isAtEnd)
    }

    @Test("a truncated varint names the offset where it started")
    func truncated() {
        var reader = ByteReader([0x01, 0x80, 0x80])
        _ = try? reader.readByte("first")
        let error = #expect(throws: CodecError.self) { try reader.readVarint("length") }
        #expect(error?.code == .truncated)
        #expect(error?.offset == 1)
    }

    @Test("a varint beyond 64 bits is an overflow")
    func overflow() {
        var reader = ByteReader([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02])
        #expect((#expect(throws: CodecError.self) { try reader.readVarint("v") })?.code == .varintOverflow)
        var long = ByteReader(Array(repeating: 0x80, count: 12) + [0])
        #expect((#expect(throws: CodecError.self) { try long.readVarint("v") })?.code == .varintOverflow)
    }

    @Test("a count larger than the bytes left is refused before allocating")
    func hugeCount() {
        var reader = ByteReader(Varint.encode(1 << 40) + [1, 2, 3])
        let error = #expect(throws: CodecError.self) { try reader.readCount("items", minimumSize: 33) }
        #expect(error?.code == .tooLarge)
        #expect(error?.description.contains("bytes are left") == true)
    }

    @Test("strings must be valid UTF-8 and fit")
    func strings() throws {
        var good = ByteReader([3] + Array("abc".utf8))
        #expect(try good.readString("topic") == "abc")
        var bad = ByteReader([2, 0xff, 0xfe])
        #expect((#expect(throws: CodecError.self) { try bad.readString("topic") })?.code == .invalidUTF8)
        var short = ByteReader([5, 0x61])
        #expect(throws: CodecError.self) { try short.readString("topic") }
    }
}
