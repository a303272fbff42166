internal import ArgumentParser
internal import Foundation
internal import Libp2p
internal import WakuArchive
internal import WakuCore
internal import WakuNode

/// `wakusync query --peer ADDR …`: a Store v3 query against a peer, paged to the end.
struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Query a peer's Store (v3) and print every matching message.",
        discussion: """
            Pages through all matching messages and prints them as a table, or with --json in the archive \
            export format (JSON lines). Hash lookups go 50 hashes per request and more than 10 content \
            topics are queried 10 at a time, as nwaku's servers require.
            """
    )

    @OptionGroup var dataDir: DataDirOptions

    @Option(help: ArgumentHelp("The store peer to query.", valueName: "MULTIADDR"))
    var peer: String

    @Option(help: "Match this pubsub topic.")
    var pubsubTopic: String?

    @Option(help: "Match these content topics (repeatable).")
    var contentTopic: [String] = []

    @Option(help: "From this timestamp (ns, inclusive).")
    var from: Int64?

    @Option(help: "To this timestamp (ns, inclusive, as nwaku).")
    var to: Int64?

    @Option(help: "Look these hashes up (repeatable; not with topic or time filters).")
    var hash: [String] = []

    @Option(help: "Messages per page (default 20, at most 100).")
    var pageSize: Int = 20

    @Option(help: "Stop after this many messages.")
    var max: Int?

    @Flag(help: "Page backwards (newest first in the order of pages).")
    var backward = false

    @Flag(help: "Print JSON lines in the archive export format instead of a table.")
    var json = false

    static let hashesPerRequest = 50

    func validate() throws {
        do { _ = try Multiaddr(parsing: self.peer) } catch {
            throw ValidationError("--peer '\(self.peer)': \(error.detail)")
        }
        guard (1...100).contains(self.pageSize) else { throw ValidationError("--page-size must be 1…100") }
        if let max = self.max, max < 1 { throw ValidationError("--max must be at least 1") }
        let filtered = self.pubsubTopic != nil || !self.contentTopic.isEmpty || self.from != nil || self.to != nil
        if !self.hash.isEmpty && filtered {
            throw ValidationError("--hash cannot be combined with topic or time filters (Store v3 rejects the mix)")
        }
        for text in self.hash {
            do { _ = try MessageHash(hex: text) } catch { throw ValidationError("--hash \(text): \(error.detail)") }
        }
    }

    func run() async throws {
        let requests = try self.requests()
        let address = self.peer
        let limit = self.max ?? Int.max
        let asText = !self.json
        var options = try NodeOptions.parse([])
        options.dataDir = self.dataDir
        let printed = try await OneShotNode.with(options) { node in
            let peer = try await node.connect(to: address)
            var printed = 0
            for var request in requests {
                repeat {
                    let response = try await node.query(request, peer: peer)
                    guard response.statusCode.isSuccess else {
                        throw CommandFailure("the store answered \(response.statusCode): \(response.statusDesc)")
                    }
                    for entry in response.messages where printed < limit {
                        print(Self.line(entry, asText: asText))
                        printed += 1
                    }
                    request.paginationCursor = response.paginationCursor
                } while request.paginationCursor != nil && printed < limit
            }
            return printed
        }
        if asText { StandardStreams.write("\(printed) messages\n", to: .standardError) }
    }

    /// The requests that together ask for everything the options describe.
    private func requests() throws -> [StoreQueryRequest] {
        let limit = UInt64(self.pageSize)
        if !self.hash.isEmpty {
            let hashes = try self.hash.map { try MessageHash(hex: $0) }
            return stride(from: 0, to: hashes.count, by: Self.hashesPerRequest).map {
                let batch = Array(hashes[$0..<Swift.min($0 + Self.hashesPerRequest, hashes.count)])
                return StoreQueryRequest(
                    requestID: UUID().uuidString,
                    includeData: true,
                    messageHashes: batch,
                    paginationForward: !self.backward,
                    paginationLimit: Swift.max(limit, UInt64(batch.count))
                )
            }
        }
        let groups =
            self.contentTopic.isEmpty
            ? [[]]
            : stride(from: 0, to: self.contentTopic.count, by: StoreQueryRequest.maxContentTopicsWithCursor).map {
                Array(
                    self.contentTopic[
                        $0..<Swift.min($0 + StoreQueryRequest.maxContentTopicsWithCursor, self.contentTopic.count)
                    ]
                )
            }
        return groups.map {
            StoreQueryRequest(
                requestID: UUID().uuidString,
                includeData: true,
                pubsubTopic: self.pubsubTopic,
                contentTopics: $0,
                timeStart: self.from,
                timeEnd: self.to,
                paginationForward: !self.backward,
                paginationLimit: limit
            )
        }
    }

    private static func line(_ entry: WakuMessageKeyValue, asText: Bool) -> String {
        guard let message = entry.message, let topic = entry.pubsubTopic else {
            return asText ? "\(entry.messageHash.hex)  (hash only)" : "{\"hash\":\"\(entry.messageHash.hex)\"}"
        }
        if asText {
            return
                "\(message.timestamp)  \(entry.messageHash.hex)  \(topic)  \(message.contentTopic)  \(message.payload.count) B"
        }
        let archived = ArchivedMessage(pubsubTopic: topic, message: message, hash: entry.messageHash, source: .sync)
        return ArchiveJSONLine.encode(StoredMessage(archived: archived, storedAt: 0))
    }
}
