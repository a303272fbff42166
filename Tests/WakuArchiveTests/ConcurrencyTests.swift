import Synchronization
import Testing
import WakuArchive
import WakuCore

@Suite("Archive under concurrent use")
struct ConcurrencyTests {
    @Test(
        "readers see whole batches in order while a writer inserts",
        // Generous: a debug build decoding every row on a loaded machine (it takes seconds).
        .timeLimit(.minutes(3)),
        arguments: Backend.allCases
    )
    func readersDuringWrites(backend: Backend) async throws {
        try await TestArchive.with(backend) { fixture in
            try await Self.readersDuringWrites(fixture)
        }
    }

    private static func readersDuringWrites(_ fixture: TestArchive) async throws {
        let archive = fixture.archive
        let batchSize = 250
        let batches = 40
        let progress = Progress()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for batch in 0..<batches {
                    let messages = (0..<batchSize).map { Fixtures.message(batch * batchSize + $0) }
                    let outcome = try await archive.insert(messages)
                    #expect(outcome.inserted == batchSize)
                }
                progress.writing.store(false, ordering: .releasing)
            }
            for _ in 0..<2 {
                group.addTask {
                    var previous = 0
                    repeat {
                        // One snapshot per call: a batch is either entirely visible or not at all.
                        let entries = try await archive.syncEntries(from: .min, to: .max)
                        #expect(entries.count % batchSize == 0)
                        #expect(entries.count >= previous)
                        #expect(
                            zip(entries, entries.dropFirst()).allSatisfy {
                                ($0.timestamp, $0.hash) < ($1.timestamp, $1.hash)
                            }
                        )
                        previous = entries.count
                        let page = await archive.query(
                            StoreQueryRequest(
                                requestID: "r",
                                includeData: true,
                                paginationForward: false,
                                paginationLimit: 100
                            )
                        )
                        #expect(page.statusCode == .success)
                        // A later snapshot: at least what the scan saw, and a full page once there is one.
                        #expect(page.messages.count >= min(100, previous) && page.messages.count <= 100)
                        progress.reads.add(1, ordering: .relaxed)
                    } while progress.writing.load(ordering: .acquiring)
                }
            }
            try await group.waitForAll()
        }
        #expect(progress.reads.load(ordering: .relaxed) >= 2)
        #expect(try await archive.stats().count == batchSize * batches)
        if let sqlite = fixture.sqlite { #expect(try await sqlite.integrityCheck() == ["ok"]) }
    }
}

/// Shared between the writer and the readers of the test.
private final class Progress: Sendable {
    let writing = Atomic<Bool>(true)
    let reads = Atomic<Int>(0)
}
