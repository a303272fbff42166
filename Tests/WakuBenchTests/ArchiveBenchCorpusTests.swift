import Testing
import WakuArchive
import WakuCore

@testable import WakuBench

@Suite("bench archive corpus")
struct ArchiveBenchCorpusTests {
    @Test("timestamps rise through the hour at millisecond resolution, and every batch's hashes are kept")
    func corpus() throws {
        var corpus = ArchiveBenchCorpus(count: 3000)
        let timestamps = (0..<3000).map(corpus.timestamp)
        #expect(timestamps == timestamps.sorted())
        #expect(timestamps.first == ArchiveBenchCorpus.base)
        let last = try #require(timestamps.last)
        #expect(last < ArchiveBenchCorpus.base + ArchiveBenchCorpus.window)
        #expect(timestamps.allSatisfy { $0 % 1_000_000 == 0 })
        let first = corpus.batch(0..<10)
        let second = corpus.batch(10..<20)
        #expect(corpus.hashes == (first + second).map(\.hash))
        #expect(Set(corpus.hashes).count == 20)
        #expect(first.allSatisfy { $0.message.payload.count == 1024 })
    }

    @Test("the same count makes the same messages")
    func deterministic() {
        var one = ArchiveBenchCorpus(count: 1000)
        var other = ArchiveBenchCorpus(count: 1000)
        #expect(one.batch(0..<50).map(\.hash) == other.batch(0..<50).map(\.hash))
    }
}
