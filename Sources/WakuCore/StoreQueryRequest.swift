/// A Store v3 query (`/vac/waku/store-query/3.0.0`, PROTOCOLS.md §3.2–3.3).
///
/// One type serves the three query kinds: content-filtered (any of ``pubsubTopic``,
/// ``contentTopics``, ``timeStart``, ``timeEnd``), hash lookup (``messageHashes``) and, with
/// neither, every stored message. Optional wire fields are Swift optionals; `nil` means the field
/// is left out on the wire.
package struct StoreQueryRequest: Hashable, Sendable {
    /// The default page size nwaku applies when the limit is absent or 0.
    package static let defaultPageSize: UInt64 = 20
    /// The largest page nwaku returns, whatever the client asks for.
    package static let maxPageSize: UInt64 = 100
    /// nwaku rejects a paginated query (one with a cursor) naming more content topics than this,
    /// so our client never sends more; our server accepts any number.
    package static let maxContentTopicsWithCursor = 10

    /// Chosen by the client; nwaku requires the field to be present (it may be empty).
    package var requestID: String
    /// Whether the response carries full messages (`true`) or only their hashes.
    package var includeData: Bool
    /// Content filter: only messages on this pubsub topic.
    package var pubsubTopic: String?
    /// Content filter: only messages on one of these content topics (empty = any).
    package var contentTopics: [String]
    /// Content filter: only messages with `timestamp >= timeStart` (nanoseconds).
    package var timeStart: Int64?
    /// Content filter: only messages with `timestamp <= timeEnd` (nanoseconds; inclusive, as in
    /// nwaku, where the spec says exclusive: PROTOCOLS.md §8 #14).
    package var timeEnd: Int64?
    /// Hash lookup: only these messages.
    package var messageHashes: [MessageHash]
    /// Continue after the message with this hash (exclusive), in the query's direction.
    package var paginationCursor: MessageHash?
    /// `true` pages in ascending (timestamp, hash) order, `false` in descending order. nwaku
    /// reads an absent field as backward.
    package var paginationForward: Bool
    /// Page size asked for; absent or 0 means ``defaultPageSize``, more than ``maxPageSize`` is
    /// capped.
    package var paginationLimit: UInt64?

    /// A request; the defaults are what nwaku reads from absent fields.
    package init(
        requestID: String,
        includeData: Bool = false,
        pubsubTopic: String? = nil,
        contentTopics: [String] = [],
        timeStart: Int64? = nil,
        timeEnd: Int64? = nil,
        messageHashes: [MessageHash] = [],
        paginationCursor: MessageHash? = nil,
        paginationForward: Bool = false,
        paginationLimit: UInt64? = nil
    ) {
        self.requestID = requestID
        self.includeData = includeData
        self.pubsubTopic = pubsubTopic
        self.contentTopics = contentTopics
        self.timeStart = timeStart
        self.timeEnd = timeEnd
        self.messageHashes = messageHashes
        self.paginationCursor = paginationCursor
        self.paginationForward = paginationForward
        self.paginationLimit = paginationLimit
    }

    /// Whether any content filter (pubsub topic, content topics, time range) is set.
    package var hasContentFilter: Bool {
        self.pubsubTopic != nil || !self.contentTopics.isEmpty || self.timeStart != nil || self.timeEnd != nil
    }

    /// The page size a server answers with: nwaku's rules of PROTOCOLS.md §3.4 (absent or 0 →
    /// 20, otherwise at most 100).
    package var effectivePageSize: Int {
        guard let limit = self.paginationLimit, limit > 0 else { return Int(Self.defaultPageSize) }
        return Int(min(limit, Self.maxPageSize))
    }
}
