internal import WakuArchive
internal import WakuCore

/// The read-side scenarios of `bench archive`, against an archive filled from `corpus`.
struct ArchiveBenchQueries {
    let archive: any MessageArchive
    let corpus: ArchiveBenchCorpus
    /// Repetitions per latency scenario, each at another random position.
    let repetitions = 200
    /// The random message indices the latency scenarios start from.
    let positions: [Int]

    init(archive: any MessageArchive, corpus: ArchiveBenchCorpus) {
        self.archive = archive
        self.corpus = corpus
        var random = SeededRandom(seed: 42)
        self.positions = (0..<self.repetitions).map { _ in Int(random.next() % UInt64(corpus.count)) }
    }

    func run() async throws -> [ArchiveBenchResult] {
        var results: [ArchiveBenchResult] = []
        results.append(
            try await self.latency(
                "store page, filtered, forward",
                "pubsub + content topic + 20 min range, cursor mid-range, data, 100 per page"
            ) {
                index in self.filteredRequest(around: index, forward: true)
            }
        )
        results.append(
            try await self.latency("store page, filtered, backward", "as above, backward") { index in
                self.filteredRequest(around: index, forward: false)
            }
        )
        results.append(
            try await self.latency("store page, unfiltered", "no filter, cursor at a random message, data, forward") {
                index in
                StoreQueryRequest(
                    requestID: "bench",
                    includeData: true,
                    paginationCursor: self.corpus.hashes[index],
                    paginationForward: true,
                    paginationLimit: 100
                )
            }
        )
        results.append(
            try await self.latency(
                "store page, hashes only",
                "no filter, cursor at a random message, include_data false"
            ) { index in
                StoreQueryRequest(
                    requestID: "bench",
                    paginationCursor: self.corpus.hashes[index],
                    paginationForward: true,
                    paginationLimit: 100
                )
            }
        )
        results += try await self.lookups()
        results.append(try await self.syncFill())
        return results
    }

    /// Lookups of 100 random stored hashes, directly and as a Store query.
    private func lookups() async throws -> [ArchiveBenchResult] {
        let count = self.corpus.count
        var lookups: [Duration] = []
        var storeLookups: [Duration] = []
        var random = SeededRandom(seed: 7)
        for _ in 0..<self.repetitions {
            let hashes = (0..<100).map { _ in self.corpus.hashes[Int(random.next() % UInt64(count))] }
            var started = ContinuousClock.now
            let found = try await self.archive.messages(withHashes: hashes)
            lookups.append(ContinuousClock.now - started)
            precondition(found.count == Set(hashes).count, "bench lookup missed stored hashes")
            started = ContinuousClock.now
            let response = await self.archive.query(
                StoreQueryRequest(requestID: "bench", includeData: true, messageHashes: hashes, paginationLimit: 100)
            )
            storeLookups.append(ContinuousClock.now - started)
            precondition(response.statusCode.isSuccess, "bench store lookup failed: \(response.statusDesc)")
        }
        return [
            ArchiveBenchResult.latency(
                "lookup 100 hashes",
                "messages(withHashes:), random stored hashes, with data",
                lookups
            ),
            ArchiveBenchResult.latency(
                "store lookup 100 hashes",
                "Store query with 100 hashes, include_data true",
                storeLookups
            ),
        ]
    }

    /// The sync-index fill over the whole window, best of three.
    private func syncFill() async throws -> ArchiveBenchResult {
        let count = self.corpus.count
        var fills: [Duration] = []
        for _ in 0..<3 {
            let started = ContinuousClock.now
            let entries = try await self.archive.syncEntries(
                from: ArchiveBenchCorpus.base,
                to: ArchiveBenchCorpus.base + ArchiveBenchCorpus.window + 1
            )
            fills.append(ContinuousClock.now - started)
            precondition(entries.count == count, "sync fill returned \(entries.count) of \(count)")
        }
        let samples = SortedSamples(fills)
        return ArchiveBenchResult(
            name: "sync-index fill",
            detail: "syncEntries over the whole window, \(count) entries, best of 3",
            value: (samples.minimum ?? .zero).seconds,
            unit: "s",
            target: 1,
            higherIsBetter: false,
            extra: ["median s": (samples.median ?? .zero).seconds]
        )
    }

    private func filteredRequest(around index: Int, forward: Bool) -> StoreQueryRequest {
        let time = self.corpus.timestamp(index)
        return StoreQueryRequest(
            requestID: "bench",
            includeData: true,
            pubsubTopic: ArchiveBenchCorpus.pubsubTopic(index),
            contentTopics: [ArchiveBenchCorpus.contentTopic(index)],
            timeStart: time - 600_000_000_000,
            timeEnd: time + 600_000_000_000,
            paginationCursor: self.corpus.hashes[index],
            paginationForward: forward,
            paginationLimit: 100
        )
    }

    private func latency(
        _ name: String,
        _ detail: String,
        _ request: (Int) -> StoreQueryRequest
    ) async throws -> ArchiveBenchResult {
        var times: [Duration] = []
        var returned = 0
        for index in self.positions {
            let query = request(index)
            let started = ContinuousClock.now
            let response = await self.archive.query(query)
            times.append(ContinuousClock.now - started)
            precondition(response.statusCode.isSuccess, "bench query failed: \(response.statusDesc)")
            returned += response.messages.count
        }
        var result = ArchiveBenchResult.latency(name, detail, times)
        result.extra["mean rows"] = Double(returned) / Double(self.repetitions)
        return result
    }
}
