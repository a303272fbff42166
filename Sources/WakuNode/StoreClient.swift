internal import Libp2p
internal import WakuCore

/// Our side of Store v3 (PROTOCOLS.md §3): one request and one response per stream.
///
/// Responses are read up to ``NodeLimits/storeResponse`` bytes, reserved from one budget shared by
/// every query in flight (fetches, resume, the audit), and decoded in the caller's task.
final class StoreClient: Sendable {
    package static let protocolID = "/vac/waku/store-query/3.0.0"

    private let host: Libp2pHost
    private let budget: ByteBudget
    private let responseLimit: Int

    init(host: Libp2pHost, limits: NodeLimits) {
        self.host = host
        self.budget = ByteBudget("Store response", limit: limits.storeClientBytes)
        self.responseLimit = limits.storeResponse
    }

    /// Sends one query to `peer` and returns its response.
    func query(_ request: StoreQueryRequest, peer: PeerID) async throws -> StoreQueryResponse {
        let stream = try await self.host.openStream(to: peer, protocolID: Self.protocolID, timeout: .seconds(10))
        var reserved = 0
        defer { self.budget.release(reserved) }
        do {
            try await stream.writeMessage(request.serialized())
            let bytes = try await stream.readMessage(maxSize: self.responseLimit, timeout: .seconds(30)) { length in
                try self.budget.reserve(length)
                reserved = length
            }
            guard let bytes else { throw NodeError("the store peer closed the stream without answering") }
            await stream.close()
            return try StoreQueryResponse(serialized: bytes)
        } catch {
            stream.reset()
            throw error
        }
    }

    /// A random request id, as nwaku's client makes them.
    static func requestID() -> String {
        (0..<16).map { _ in String(UInt8.random(in: 0...255), radix: 16) }.joined()
    }
}

/// Follows a Store query's cursor from page to page, refusing to follow a peer that does not make
/// progress: each cursor must name a message of the page it came with and differ from every
/// cursor before it, and pages and entries are capped.
struct StorePager {
    let client: StoreClient
    /// Most pages followed, and most entries taken, per call.
    var maxPages: Int
    var maxEntries: Int

    /// Runs `request` and every following page against `peer`, handing each successful page to
    /// `body`.
    ///
    /// - Throws: ``NodeError`` when the peer refuses, its cursor does not advance, or a cap is
    ///   reached; any transport error.
    func forEachPage(
        _ request: StoreQueryRequest,
        from peer: PeerID,
        _ body: (StoreQueryResponse) async throws -> Void
    ) async throws {
        var request = request
        var seenCursors = Set<MessageHash>()
        var pages = 0
        var entries = 0
        while true {
            request.requestID = StoreClient.requestID()
            let response = try await self.client.query(request, peer: peer)
            guard response.statusCode.isSuccess else {
                throw NodeError("the store peer answered \(response.statusCode): \(response.statusDesc)")
            }
            pages += 1
            entries += response.messages.count
            guard entries <= self.maxEntries else {
                throw NodeError("the store peer sent more than \(self.maxEntries) entries")
            }
            try await body(response)
            guard let cursor = response.paginationCursor else { return }
            guard response.messages.contains(where: { $0.messageHash == cursor }),
                seenCursors.insert(cursor).inserted
            else {
                throw NodeError("the store peer's cursor does not advance")
            }
            guard pages < self.maxPages else {
                throw NodeError("the store peer has more than \(self.maxPages) pages")
            }
            request.paginationCursor = cursor
        }
    }
}
