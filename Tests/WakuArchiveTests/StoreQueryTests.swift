import Testing
import WakuArchive
import WakuArchivePostgres
import WakuCore

@Suite("Store v3 queries against the archive")
struct StoreQueryTests {
    static let count = 420
    static let stored = Fixtures.messages(Self.count)
    static let reference = ReferenceStore(messages: Self.stored)

    /// Runs `body` on a new archive holding ``stored``.
    static func withFilled(_ backend: Backend, _ body: (any MessageArchive) async throws -> Void) async throws {
        try await TestArchive.with(backend) { fixture in
            _ = try await fixture.archive.insert(Self.stored)
            try await body(fixture.archive)
        }
    }

    /// Every combination of the content filters, over stored and unknown topics; the end time
    /// equals a stored timestamp so its inclusiveness is exercised.
    static var filterCombinations: [StoreQueryRequest] {
        let pubsubs: [String?] = [nil, Fixtures.pubsubTopics[1], "/waku/2/rs/9/9"]
        let contents: [[String]] = [
            [], [Fixtures.contentTopics[0]], [Fixtures.contentTopics[1], Fixtures.contentTopics[3]],
            ["/unknown/1/x/proto"], [Fixtures.contentTopics[2], "/unknown/1/x/proto"],
        ]
        let starts: [Int64?] = [nil, Fixtures.base + 20_000]
        let ends: [Int64?] = [nil, Fixtures.base + 100_000]
        var requests: [StoreQueryRequest] = []
        for pubsub in pubsubs {
            for content in contents {
                for start in starts {
                    for end in ends {
                        requests.append(
                            StoreQueryRequest(
                                requestID: "combo",
                                pubsubTopic: pubsub,
                                contentTopics: content,
                                timeStart: start,
                                timeEnd: end
                            )
                        )
                    }
                }
            }
        }
        return requests
    }

    @Test(
        "paging forward and backward through every filter combination returns each match exactly once, in order",
        arguments: Backend.allCases,
        [false, true]
    )
    func pagingEveryCombination(backend: Backend, includeData: Bool) async throws {
        try await Self.withFilled(backend) { archive in
            for var request in Self.filterCombinations {
                request.includeData = includeData
                request.paginationLimit = 25
                let expected = Self.reference.matches(request).map { $0.keyValue(includeData: includeData) }
                for forward in [true, false] {
                    request.paginationForward = forward
                    let pages = await archive.allPages(request)
                    #expect(pages.allSatisfy { $0.statusCode == .success && $0.statusDesc == "OK" })
                    #expect(pages.allSatisfy { $0.requestID == "combo" })
                    // Each page is ascending; backward pages come newest first.
                    let ordered = forward ? pages : pages.reversed()
                    let returned = ordered.flatMap(\.messages)
                    #expect(returned == expected, "\(request)")
                    #expect(pages.dropLast().allSatisfy { $0.messages.count == 25 && $0.paginationCursor != nil })
                    #expect(pages.last?.paginationCursor == nil)
                    for page in pages where page.paginationCursor != nil {
                        // The cursor is the page's last row in the query's direction.
                        let last = forward ? page.messages.last : page.messages.first
                        #expect(page.paginationCursor == last?.messageHash)
                    }
                }
            }
        }
    }

    @Test("the end time is inclusive and the start time is inclusive, as in nwaku", arguments: Backend.allCases)
    func inclusiveBounds(backend: Backend) async throws {
        try await Self.withFilled(backend) { archive in
            let time = Fixtures.base + 50_000
            let request = StoreQueryRequest(requestID: "t", timeStart: time, timeEnd: time, paginationForward: true)
            let response = await archive.query(request)
            let atTime = Self.stored.filter { $0.message.timestamp == time }
            #expect(atTime.count == 3)
            #expect(Set(response.messages.map(\.messageHash)) == Set(atTime.map(\.hash)))
        }
    }

    @Test(
        "the page size is 20 when the limit is absent or 0 and at most 100",
        arguments: Backend.allCases,
        [
            (UInt64?.none, 20), (0, 20), (1, 1), (57, 57), (100, 100), (101, 100), (10_000, 100),
        ] as [(UInt64?, Int)]
    )
    func pageSizes(backend: Backend, pageSize: (limit: UInt64?, expected: Int)) async throws {
        let (limit, expected) = pageSize
        try await Self.withFilled(backend) { archive in
            let request = StoreQueryRequest(requestID: "l", paginationForward: true, paginationLimit: limit)
            let response = await archive.query(request)
            #expect(response.messages.count == expected)
            #expect(response.paginationCursor == response.messages.last?.messageHash)
        }
    }

    @Test(
        "a cursor continues after its message even when that message does not match the filters",
        arguments: Backend.allCases
    )
    func cursorOutsideFilter(backend: Backend) async throws {
        try await Self.withFilled(backend) { archive in
            let cursorMessage = Self.stored[100]
            let topic = Fixtures.pubsubTopics[2]
            #expect(cursorMessage.pubsubTopic != topic)
            let request = StoreQueryRequest(
                requestID: "c",
                pubsubTopic: topic,
                paginationCursor: cursorMessage.hash,
                paginationForward: true,
                paginationLimit: 100
            )
            let expected = Self.reference.matches(request).filter {
                ($0.message.timestamp, $0.hash) > (cursorMessage.message.timestamp, cursorMessage.hash)
            }
            let response = await archive.query(request)
            #expect(response.messages.map(\.messageHash) == expected.prefix(100).map(\.hash))
        }
    }

    @Test(
        "an unknown cursor is answered with 300 and nwaku's description, echoing the request id",
        arguments: Backend.allCases
    )
    func unknownCursor(backend: Backend) async throws {
        try await Self.withFilled(backend) { archive in
            let request = StoreQueryRequest(
                requestID: "u",
                paginationCursor: try MessageHash(bytes: [UInt8](repeating: 0x42, count: 32))
            )
            let response = await archive.query(request)
            #expect(response.statusCode == .badResponse)
            #expect(response.statusDesc == "BAD_RESPONSE: archive error: DRIVER_ERROR: cursor not found")
            #expect(response.requestID == "u")
            #expect(response.messages.isEmpty && response.paginationCursor == nil)
        }
    }

    @Test("an all-zero cursor is an invalid query (300)", arguments: Backend.allCases)
    func zeroCursor(backend: Backend) async throws {
        try await Self.withFilled(backend) { archive in
            let response = await archive.query(StoreQueryRequest(requestID: "z", paginationCursor: .zero))
            #expect(response.statusCode == .badResponse)
            #expect(response.statusDesc == "BAD_RESPONSE: archive error: INVALID_QUERY: all zeroes cursor hash")
        }
    }

    @Test(
        "more than 10 content topics are served with and without a cursor (PROTOCOLS.md §8 #19)",
        arguments: Backend.allCases
    )
    func tooManyContentTopics(backend: Backend) async throws {
        try await Self.withFilled(backend) { archive in
            let topics = (0..<11).map { "/app/1/t\($0)/proto" } + [Fixtures.contentTopics[0]]
            let first = await archive.query(StoreQueryRequest(requestID: "m", contentTopics: topics))
            #expect(first.statusCode == .success)
            #expect(!first.messages.isEmpty)
            let cursor = Self.stored[0].hash
            let paged = await archive.query(
                StoreQueryRequest(requestID: "m", contentTopics: topics, paginationCursor: cursor)
            )
            #expect(paged.statusCode == .success)
            #expect(paged.messages.first?.messageHash != cursor)
        }
    }

    @Test(
        "hashes mixed with a content filter are a bad request (400), our stricter choice",
        arguments: Backend.allCases
    )
    func mixedQuery(backend: Backend) async throws {
        try await Self.withFilled(backend) { archive in
            for request in [
                StoreQueryRequest(
                    requestID: "x",
                    pubsubTopic: Fixtures.pubsubTopics[0],
                    messageHashes: [Self.stored[0].hash]
                ),
                StoreQueryRequest(requestID: "x", contentTopics: ["/a/1/b/c"], messageHashes: [Self.stored[0].hash]),
                StoreQueryRequest(requestID: "x", timeStart: 0, messageHashes: [Self.stored[0].hash]),
                StoreQueryRequest(requestID: "x", timeEnd: 0, messageHashes: [Self.stored[0].hash]),
            ] {
                let response = await archive.query(request)
                #expect(response.statusCode == .badRequest)
                #expect(response.requestID == "x")
                #expect(response.statusDesc.hasPrefix("BAD_REQUEST: "))
            }
        }
    }

    @Test(
        "nothing matching, or a start after the end, is a 200 with no messages and no cursor",
        arguments: Backend.allCases
    )
    func emptyResults(backend: Backend) async throws {
        try await Self.withFilled(backend) { archive in
            for request in [
                StoreQueryRequest(requestID: "e", pubsubTopic: "/waku/2/rs/7/7"),
                StoreQueryRequest(requestID: "e", timeStart: Fixtures.base + 10, timeEnd: Fixtures.base),
                StoreQueryRequest(requestID: "e", timeStart: Fixtures.base + 1_000_000_000),
            ] {
                let response = await archive.query(request)
                #expect(response == StoreQueryResponse(requestID: "e"))
            }
        }
    }

    @Test(
        "a hash lookup of any length pages through exactly the stored requested hashes",
        arguments: Backend.allCases,
        [false, true]
    )
    func largeHashLookup(backend: Backend, includeData: Bool) async throws {
        try await Self.withFilled(backend) { archive in
            // 1210 hashes (more than one internal batch): every other stored message, unknown hashes
            // and repeats, within a batch and across batches.
            let wanted = stride(from: 0, to: Self.count, by: 2).map { Self.stored[$0].hash }
            var hashes = wanted + wanted.prefix(30)
            while hashes.count < 1000 {
                hashes.append(
                    try MessageHash(bytes: (0..<32).map { UInt8(truncatingIfNeeded: hashes.count &* 31 &+ $0) })
                )
            }
            // The same hashes again, in another internal batch.
            hashes += wanted
            for forward in [true, false] {
                let request = StoreQueryRequest(
                    requestID: "h",
                    includeData: includeData,
                    messageHashes: hashes,
                    paginationForward: forward,
                    paginationLimit: 100
                )
                let pages = await archive.allPages(request)
                let returned = (forward ? pages : pages.reversed()).flatMap(\.messages)
                let expected = Self.reference.matches(request).map { $0.keyValue(includeData: includeData) }
                #expect(expected.count == wanted.count)
                #expect(returned == expected)
            }
        }
    }

    @Test("returned messages rebuild every stored field and hash to their key", arguments: Backend.allCases)
    func rebuiltMessages(backend: Backend) async throws {
        try await Self.withFilled(backend) { archive in
            let response = await archive.query(
                StoreQueryRequest(requestID: "d", includeData: true, paginationForward: true, paginationLimit: 100)
            )
            #expect(response.messages.count == 100)
            for entry in response.messages {
                guard let message = entry.message, let topic = entry.pubsubTopic else {
                    Issue.record("entry without data")
                    continue
                }
                #expect(message.hash(pubsubTopic: topic) == entry.messageHash)
            }
        }
    }
}
