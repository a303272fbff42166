/// The status code of a Store v3 response (PROTOCOLS.md §3.5).
///
/// A wrapper rather than an enum so that a code nwaku does not define survives decoding and
/// re-encoding unchanged; nwaku's client maps such codes to `UNKNOWN` (0).
package struct StoreStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The code as it travels in `status_code`.
    package var rawValue: UInt32

    /// The status with this code, defined or not.
    package init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// Any code nwaku does not define; its client reports such responses as this.
    package static let unknown = StoreStatus(rawValue: 0)
    /// The query succeeded, also when nothing matched.
    package static let success = StoreStatus(rawValue: 200)
    /// The archive could not answer: unknown or all-zero cursor, too many content topics with a
    /// cursor, a database error.
    package static let badResponse = StoreStatus(rawValue: 300)
    /// The request could not be decoded, or (our server only) mixed hashes with content filters.
    package static let badRequest = StoreStatus(rawValue: 400)
    /// The server's rate limit was hit.
    package static let tooManyRequests = StoreStatus(rawValue: 429)
    /// Defined by nwaku, never sent by its server.
    package static let serviceUnavailable = StoreStatus(rawValue: 503)
    /// Client side only: the store peer could not be dialled.
    package static let peerDialFailure = StoreStatus(rawValue: 504)

    /// Only 200 is success: the spec says 2xx, but nwaku only ever uses 200.
    package var isSuccess: Bool { self == .success }

    /// nwaku's name for the code (`SUCCESS`, `BAD_RESPONSE`, ...), or `UNKNOWN`.
    package var name: String {
        switch self.rawValue {
        case 200: "SUCCESS"
        case 300: "BAD_RESPONSE"
        case 400: "BAD_REQUEST"
        case 429: "TOO_MANY_REQUESTS"
        case 503: "SERVICE_UNAVAILABLE"
        case 504: "PEER_DIAL_FAILURE"
        default: "UNKNOWN"
        }
    }

    /// The code and its name, e.g. `300 BAD_RESPONSE`.
    package var description: String { "\(self.rawValue) \(self.name)" }
}

/// One entry of a Store v3 response: a message hash, with the message and its pubsub topic when
/// the query asked for data.
///
/// nwaku writes ``message`` and ``pubsubTopic`` only when both are set, and reads them only when
/// both are present; otherwise the entry is hash-only.
package struct WakuMessageKeyValue: Hashable, Sendable {
    /// The message's deterministic hash; always present.
    package var messageHash: MessageHash
    /// The message, when the query asked for data.
    package var message: WakuMessage?
    /// The message's pubsub topic, when the query asked for data.
    package var pubsubTopic: String?

    /// An entry; give both `message` and `pubsubTopic` or neither.
    package init(messageHash: MessageHash, message: WakuMessage? = nil, pubsubTopic: String? = nil) {
        self.messageHash = messageHash
        self.message = message
        self.pubsubTopic = pubsubTopic
    }
}

/// The answer to a ``StoreQueryRequest`` (PROTOCOLS.md §3.2, §3.4–3.5).
package struct StoreQueryResponse: Hashable, Sendable {
    /// The request's id; nwaku sends `""` on errors (and `N/A` for 429), we always echo it.
    package var requestID: String
    /// 200 on success; see ``StoreStatus``.
    package var statusCode: StoreStatus
    /// `OK` on success; on errors, nwaku's text (see the static constructors).
    package var statusDesc: String
    /// Always in ascending (timestamp, hash) order, also for a backward query.
    package var messages: [WakuMessageKeyValue]
    /// Present iff more results exist: the hash of the last entry of this page in the query's
    /// direction.
    package var paginationCursor: MessageHash?

    /// A response; the defaults make a successful, empty page.
    package init(
        requestID: String,
        statusCode: StoreStatus = .success,
        statusDesc: String = "OK",
        messages: [WakuMessageKeyValue] = [],
        paginationCursor: MessageHash? = nil
    ) {
        self.requestID = requestID
        self.statusCode = statusCode
        self.statusDesc = statusDesc
        self.messages = messages
        self.paginationCursor = paginationCursor
    }

    /// The 400 answer to bytes that did not decode as a request, worded as nwaku words it
    /// (`decoding rpc failed: ...`, empty request id: nwaku could not read one).
    package static func decodingFailed(_ error: CodecError) -> StoreQueryResponse {
        StoreQueryResponse(
            requestID: "",
            statusCode: .badRequest,
            statusDesc: "decoding rpc failed: \(error.detail)"
        )
    }

    /// The 503 answer when the server cannot take on the response now (its memory budget).
    package static func serviceUnavailable(requestID: String) -> StoreQueryResponse {
        StoreQueryResponse(requestID: requestID, statusCode: .serviceUnavailable, statusDesc: "SERVICE_UNAVAILABLE")
    }

    /// The 429 answer nwaku sends when its rate limit is hit, byte for byte (it does not read the
    /// request, so the id is `N/A`).
    package static let tooManyRequests = StoreQueryResponse(
        requestID: "N/A",
        statusCode: .tooManyRequests,
        statusDesc: "TOO_MANY_REQUESTS"
    )
}
