import Foundation
import WakuArchive
import WakuCore
import WakuTestSupport

/// A fresh archive in a temporary directory; `remove()` closes it and deletes the directory.
struct TestArchive {
    let directory: TemporaryDirectory
    let archive: Archive

    init(now: Int64 = 1_700_000_000_000_000_000) throws {
        self.directory = try TemporaryDirectory(prefix: "wakusync-archive-test")
        self.archive = try Archive(path: self.directory.file("archive.sqlite3").path, wallClock: { now })
    }

    var path: String { self.directory.file("archive.sqlite3").path }

    func remove() {
        try? self.archive.close()
        self.directory.remove()
    }
}

/// Deterministic test messages.
enum Fixtures {
    static let base: Int64 = 1_700_000_000_000_000_000
    static let pubsubTopics = ["/waku/2/rs/1/0", "/waku/2/rs/1/1", "/waku/2/rs/1/2"]
    static let contentTopics = ["/app/1/a/proto", "/app/1/b/proto", "/app/1/c/proto", "/app/1/d/proto"]

    /// Message number `index`: topics cycle, timestamps advance every third message (so ties
    /// are common and the hash decides their order), payload and meta vary in length.
    static func message(_ index: Int, source: MessageSource = .relay) -> ArchivedMessage {
        let message = WakuMessage(
            payload: (0..<(index % 7) * 9).map { UInt8(truncatingIfNeeded: index &+ $0) },
            contentTopic: Self.contentTopics[index % Self.contentTopics.count],
            version: UInt32(index % 3),
            timestamp: Self.base + Int64(index / 3) * 1_000,
            meta: index % 5 == 0 ? [] : [UInt8](repeating: UInt8(index % 251), count: index % 64)
        )
        return ArchivedMessage(
            pubsubTopic: Self.pubsubTopics[index % Self.pubsubTopics.count],
            message: message,
            source: source
        )
    }

    /// Messages `0..<count`.
    static func messages(_ count: Int) -> [ArchivedMessage] {
        (0..<count).map { Self.message($0) }
    }
}

/// nwaku's Store v3 matching and ordering written out naively (PROTOCOLS.md §3.4), the
/// reference the archive's answers are compared with.
struct ReferenceStore {
    let messages: [ArchivedMessage]

    /// Every stored message the request's filters match, in ascending (timestamp, hash) order.
    func matches(_ request: StoreQueryRequest) -> [ArchivedMessage] {
        self.messages.filter { item in
            if let topic = request.pubsubTopic, item.pubsubTopic != topic { return false }
            if !request.contentTopics.isEmpty && !request.contentTopics.contains(item.message.contentTopic) {
                return false
            }
            if let start = request.timeStart, item.message.timestamp < start { return false }
            if let end = request.timeEnd, item.message.timestamp > end { return false }
            if !request.messageHashes.isEmpty && !request.messageHashes.contains(item.hash) { return false }
            return true
        }
        .sorted { ($0.message.timestamp, $0.hash) < ($1.message.timestamp, $1.hash) }
    }
}

extension ArchivedMessage {
    /// The entry a Store response carries for this message: with data, the message as the
    /// archive rebuilds it (ephemeral and RLN proof are not stored).
    func keyValue(includeData: Bool) -> WakuMessageKeyValue {
        guard includeData else { return WakuMessageKeyValue(messageHash: self.hash) }
        var stored = self.message
        stored.ephemeral = false
        stored.rateLimitProof = []
        return WakuMessageKeyValue(messageHash: self.hash, message: stored, pubsubTopic: self.pubsubTopic)
    }
}

extension Archive {
    /// Every page of `request`, following cursors until none is returned.
    func allPages(_ request: StoreQueryRequest, maxPages: Int = 10_000) async -> [StoreQueryResponse] {
        var pages: [StoreQueryResponse] = []
        var next = request
        while pages.count < maxPages {
            let page = await self.query(next)
            pages.append(page)
            guard page.statusCode.isSuccess, let cursor = page.paginationCursor else { break }
            next.paginationCursor = cursor
        }
        return pages
    }
}
