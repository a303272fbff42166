import MonitorUI
import Testing

@Suite("numbers, times and text as the monitor shows them")
struct FormatTests {
    @Test("counts, sizes, rates and percentages carry units")
    func units() {
        #expect(Format.count(1_234_567) == "1,234,567")
        #expect(Format.count(-12) == "-12")
        #expect(Format.compactCount(9_999) == "9999")
        #expect(Format.compactCount(12_345) == "12.3k")
        #expect(Format.compactCount(4_500_000) == "4.5M")
        #expect(Format.bytes(512) == "512 B")
        #expect(Format.bytes(3_300) == "3.2 KiB")
        #expect(Format.bytes(53_812_224) == "51.3 MiB")
        #expect(Format.bytes(200 * 1_048_576) == "200 MiB")
        #expect(Format.rate(0) == "0/s")
        #expect(Format.rate(0.44) == "0.4/s")
        #expect(Format.rate(123.4) == "123/s")
        #expect(Format.rate(12_345) == "12.3k/s")
        #expect(Format.percent(0.629) == "62%")
        #expect(Format.percent(1.5) == "100%")
    }

    @Test("durations and relative times read like an operator would say them")
    func times() {
        #expect(Format.duration(.microseconds(420)) == "0.4ms")
        #expect(Format.duration(.milliseconds(120)) == "120ms")
        #expect(Format.duration(.milliseconds(2_100)) == "2.1s")
        #expect(Format.duration(.seconds(298)) == "4m58s")
        #expect(Format.duration(.seconds(3_720)) == "1h02m")
        #expect(Format.duration(.seconds(273_600)) == "3d04h")
        let now: Int64 = 1_750_000_000_000_000_000
        #expect(Format.ago(now - 12_000_000_000, now: now) == "12s ago")
        #expect(Format.ago(now, now: now) == "just now")
        #expect(Format.ago(now - 7_200_000_000_000, now: now) == "2h ago")
        #expect(Format.clock(now, utcOffset: 0) == "15:06:40")
        #expect(Format.clock(now, utcOffset: 3600) == "16:06:40")
        #expect(Format.clockMilliseconds(now + 7_000_000, utcOffset: 0) == "15:06:40.007")
        #expect(Format.clock(-1_000_000_000, utcOffset: 0) == "23:59:59")
    }

    @Test("peer IDs and hashes are shortened to fixed widths, in both glyph sets")
    func identifiers() {
        let id = "16Uiu2HAmJb2e28qLXxT5kZxVUUoJt72EMzNGXB47Rxx5hw3q5x7Q"
        #expect(Format.peerID(id, ellipsis: "…") == "16Uiu2HAm…x7Q")
        #expect(Format.peerID(id, ellipsis: "...") == "16Uiu2H...x7Q")
        #expect(Format.peerID("short", ellipsis: "…") == "short")
        #expect(Format.hash(String(repeating: "ab", count: 32), ellipsis: "…") == "ababab…abab")
        #expect(Format.fit("abcdef", width: 4, ellipsis: "…") == "abc…")
        #expect(Format.fit("abcdef", width: 1, ellipsis: "...") == ".")
        #expect(Format.fit("abc", width: 3, ellipsis: "…") == "abc")
    }

    @Test("text from peers cannot move the cursor or break the cell grid")
    func sanitising() {
        var grid = CellGrid(size: Size(width: 20, height: 1))
        grid.put("a\u{1B}[2Jb\tc\u{0301}d界e😀f", x: 0, y: 0, style: .plain)
        #expect(grid.text == "a?[2Jb?cd?e?f")
        var ascii = CellGrid(size: Size(width: 10, height: 1), isASCIIOnly: true)
        ascii.put("é✓x", x: 0, y: 0, style: .plain)
        #expect(ascii.text == "??x")
    }

    @Test("writes are clipped to the grid and to the clip rectangle")
    func clipping() {
        var grid = CellGrid(size: Size(width: 10, height: 3))
        grid.put("0123456789ABC", x: -2, y: 1, style: .plain)
        grid.withClip(Rect(x: 2, y: 0, width: 3, height: 1)) { $0.put("xxxxxxx", x: 0, y: 0, style: .plain) }
        grid.put("z", x: 4, y: 9, style: .plain)
        #expect(grid.text == "  xxx\n23456789AB\n")
    }

    @Test("only rows that changed are repainted")
    func diff() {
        var first = CellGrid(size: Size(width: 4, height: 3))
        var second = first
        second.put("x", x: 1, y: 2, style: .plain)
        #expect(second.rowsDiffering(from: first) == [2])
        #expect(second.rowsDiffering(from: nil) == [0, 1, 2])
        first = CellGrid(size: Size(width: 5, height: 3))
        #expect(second.rowsDiffering(from: first) == [0, 1, 2])
    }

    @Test("the header names the archive backend briefly, never with a password")
    func archiveBackend() {
        #expect(Format.archiveBackend("/data/archive.sqlite3") == "sqlite")
        #expect(Format.archiveBackend("postgres://waku@db.example:5432/waku") == "pg db.example/waku")
        #expect(Format.archiveBackend("postgres://waku@db.example/waku?sslmode=require") == "pg db.example/waku")
        #expect(Format.archiveBackend("postgres://waku@/waku?host=/run/postgresql") == "pg socket/waku")
    }
}
