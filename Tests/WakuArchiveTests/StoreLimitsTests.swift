import Testing
import WakuArchive
import WakuCore

@Suite("Store query limits: page bytes and rows examined")
struct StoreLimitsTests {
    /// 30 messages with 1000-byte payloads, one per millisecond.
    static let large = (0..<30).map { index in
        ArchivedMessage(
            pubsubTopic: Fixtures.pubsubTopics[0],
            message: WakuMessage(
                payload: [UInt8](repeating: UInt8(index), count: 1000),
                contentTopic: Fixtures.contentTopics[0],
                timestamp: Fixtures.base + Int64(index) * 1_000_000
            ),
            source: .relay
        )
    }

    @Test(
        "a page stops before its entries pass the byte limit, keeps at least one, and paging still returns everything",
        arguments: Backend.allCases,
        [true, false]
    )
    func pageBytes(backend: Backend, forward: Bool) async throws {
        let limit = 5_000
        try await TestArchive.with(backend, limits: StoreLimits(maxPageBytes: limit)) { fixture in
            _ = try await fixture.archive.insert(Self.large)
            let request = StoreQueryRequest(
                requestID: "b",
                includeData: true,
                paginationForward: forward,
                paginationLimit: 100
            )
            let pages = await fixture.archive.allPages(request)
            let returned = (forward ? pages : pages.reversed()).flatMap(\.messages)
            #expect(returned.map(\.messageHash) == Self.large.map(\.hash))
            #expect(pages.count > 1)
            for page in pages {
                let bytes = page.messages.reduce(0) { $0 + StorePageRules.encodedSizeBound($1) }
                #expect(page.messages.count == 1 || bytes <= limit)
                #expect(
                    bytes + StorePageRules.encodedSizeBound(page.messages[0]) > limit || page.paginationCursor == nil
                )
                if let cursor = page.paginationCursor {
                    #expect(cursor == (forward ? page.messages.last : page.messages.first)?.messageHash)
                }
            }
            // Hashes alone fit in one page.
            var hashesOnly = request
            hashesOnly.includeData = false
            let page = await fixture.archive.query(hashesOnly)
            #expect(page.messages.count == 30 && page.paginationCursor == nil)
        }
        try await TestArchive.with(backend, limits: StoreLimits(maxPageBytes: 1)) { fixture in
            _ = try await fixture.archive.insert(Self.large)
            let page = await fixture.archive.query(
                StoreQueryRequest(requestID: "b", includeData: true, paginationForward: true)
            )
            #expect(page.messages.count == 1 && page.paginationCursor == Self.large[0].hash)
        }
    }

    @Test(
        "a topic-filtered query examines at most the row limit and continues from the last row examined",
        arguments: Backend.allCases,
        [true, false]
    )
    func rowsExamined(backend: Backend, forward: Bool) async throws {
        let rare = (0..<5).map { index in
            ArchivedMessage(
                pubsubTopic: Fixtures.pubsubTopics[0],
                message: WakuMessage(
                    payload: [UInt8(index)],
                    contentTopic: "/rare/1/topic/proto",
                    timestamp: forward
                        ? Fixtures.base + 1_000_000_000 + Int64(index) : Fixtures.base - 1_000_000_000 - Int64(index)
                ),
                source: .relay
            )
        }
        try await TestArchive.with(backend, limits: StoreLimits(maxRowsExamined: 50)) { fixture in
            let common = Fixtures.messages(420)
            _ = try await fixture.archive.insert(common + rare)
            let request = StoreQueryRequest(
                requestID: "r",
                includeData: true,
                contentTopics: ["/rare/1/topic/proto"],
                paginationForward: forward,
                paginationLimit: 20
            )
            let first = await fixture.archive.query(request)
            // The rare messages lie beyond the first 50 rows in the query's direction.
            let ordered = ReferenceStore(messages: common + rare).matches(StoreQueryRequest(requestID: "all"))
            let fiftieth = forward ? ordered[49] : ordered[ordered.count - 50]
            #expect(first.statusCode == .success)
            #expect(first.messages.isEmpty)
            #expect(first.paginationCursor == fiftieth.hash)
            let pages = await fixture.archive.allPages(request)
            let returned = (forward ? pages : pages.reversed()).flatMap(\.messages)
            #expect(returned == ReferenceStore(messages: rare).matches(request).map { $0.keyValue(includeData: true) })
            #expect(pages.count >= 425 / 50)
            // With a time range that holds them, the scan starts next to them.
            var bounded = request
            if forward {
                bounded.timeStart = Fixtures.base + 1_000_000_000
            } else {
                bounded.timeEnd = Fixtures.base - 1
            }
            let direct = await fixture.archive.query(bounded)
            #expect(direct.messages.count == 5 && direct.paginationCursor == nil)
        }
    }
}
