import Testing

@testable import WakuBench

@Suite("bench archive figures")
struct ArchiveBenchResultTests {
    static let ingest = ArchiveBenchResult(
        backend: "sqlite",
        name: "ingest",
        detail: "2000 messages of 1 KiB in batches of 1000",
        value: 12_345.6789,
        unit: "messages/s",
        target: 20_000,
        higherIsBetter: true,
        extra: ["seconds": 0.162, "MiB/s": 12.056]
    )

    @Test("a figure meets its target from the side its direction says")
    func target() {
        var result = Self.ingest
        #expect(!result.meetsTarget)
        result.value = 20_000
        #expect(result.meetsTarget)
        result.higherIsBetter = false
        #expect(result.meetsTarget)
        result.value = 20_001
        #expect(!result.meetsTarget)
    }

    @Test("the table lines up backend, scenario, measured, target and ok, then the detail and sorted extras")
    func table() {
        let lines = ArchiveBenchResult.table([Self.ingest]).split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(
            lines[0]
                == "backend   scenario                         measured              target        ok   what"
        )
        #expect(
            lines[1]
                == "sqlite    ingest                           12345.679 messages/s  >= 20000      NO   "
                + "2000 messages of 1 KiB in batches of 1000 (MiB/s 12.056, seconds 0.162)"
        )
    }

    @Test("each figure's JSON has the eight keys the README documents")
    func json() {
        let json = Self.ingest.json
        #expect(
            Set(json.keys) == ["backend", "name", "detail", "value", "unit", "target", "meetsTarget", "extra"]
        )
        #expect(json["meetsTarget"] as? Bool == false)
        #expect(json["extra"] as? [String: Double] == ["seconds": 0.162, "MiB/s": 12.056])
    }

    @Test("a latency figure is the median in milliseconds against 5 ms, with the p95 as an extra")
    func latency() {
        let times = (1...100).map { Duration.milliseconds($0) }.reversed()
        let result = ArchiveBenchResult.latency("store page", "detail", Array(times))
        #expect(result.value == 50)
        #expect(result.extra["p95 ms"] == 95)
        #expect(result.unit == "ms")
        #expect(result.target == 5)
        #expect(!result.higherIsBetter)
    }
}
