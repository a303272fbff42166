import Testing

@testable import WakuBench

@Suite("Percentiles by nearest rank")
struct SortedSamplesTests {
    @Test("the median of 1…4 is 2 and its p99 is 4, whatever the order given")
    func smallSet() {
        let samples = SortedSamples([4.0, 1, 3, 2])
        #expect(samples.values == [1, 2, 3, 4])
        #expect(samples.median == 2)
        #expect(samples.percentile(0.25) == 1)
        #expect(samples.percentile(0.99) == 4)
        #expect(samples.percentile(1) == 4)
        #expect(samples.percentile(0) == 1)
        #expect(samples.minimum == 1)
        #expect(samples.maximum == 4)
    }

    @Test("of 200 samples the median is the 100th, p90 the 180th and p95 the 190th")
    func ranks() {
        let samples = SortedSamples(Array((1...200).reversed()))
        #expect(samples.median == 100)
        #expect(samples.percentile(0.9) == 180)
        #expect(samples.percentile(0.95) == 190)
        #expect(samples.percentile(0.99) == 198)
    }

    @Test("the median of three is the middle one, so best of three and median agree with the old code")
    func three() {
        let samples = SortedSamples([Duration.seconds(3), .seconds(1), .seconds(2)])
        #expect(samples.median == .seconds(2))
        #expect(samples.minimum == .seconds(1))
    }

    @Test("no samples have no percentile")
    func empty() {
        let samples = SortedSamples([Double]())
        #expect(samples.median == nil)
        #expect(samples.percentile(0.99) == nil)
        #expect(samples.maximum == nil)
    }
}
