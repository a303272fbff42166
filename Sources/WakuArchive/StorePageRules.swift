package import WakuCore

/// The bounds every backend puts on one Store query's work and answer (docs/SECURITY.md).
package struct StoreLimits: Hashable, Sendable {
    /// A page stops growing before its entries would pass this many encoded bytes (at least one
    /// entry is always returned). nwaku has no such limit: 100 messages of 150 KiB make a 15 MiB
    /// response, which a peer could request over and over.
    package var maxPageBytes: Int
    /// A query with a topic filter examines at most this many rows in (timestamp, hash) order and
    /// then answers with what it found and a cursor at the last row examined, so a rare topic
    /// with no time bounds cannot make the server walk the whole archive. The cursor is a stored
    /// message, which is all nwaku's cursor semantics need (PROTOCOLS.md §3.4).
    package var maxRowsExamined: Int

    /// Limits from their values (both at least 1).
    package init(maxPageBytes: Int = 8 << 20, maxRowsExamined: Int = 50_000) {
        self.maxPageBytes = max(1, maxPageBytes)
        self.maxRowsExamined = max(1, maxRowsExamined)
    }

    /// The defaults: 8 MiB and 50 000 rows.
    package static let standard = StoreLimits()
}

/// The parts of a Store v3 answer that do not depend on the backend (PROTOCOLS.md §3.3–3.6):
/// request checks, nwaku's error texts and page assembly. Both archives use them, so they give
/// the same answers.
package enum StorePageRules {
    /// The checks made before touching the database, in nwaku's order, as a response to send;
    /// nil when the request may run. nwaku also refuses more than 10 content topics when a cursor
    /// is set; we serve any number (PROTOCOLS.md §8 #19) and only our client keeps to 10.
    package static func rejection(of request: StoreQueryRequest) -> StoreQueryResponse? {
        if !request.messageHashes.isEmpty && request.hasContentFilter {
            return StoreQueryResponse(
                requestID: request.requestID,
                statusCode: .badRequest,
                statusDesc:
                    "BAD_REQUEST: message_hashes cannot be combined with pubsub_topic, content_topics, time_start or time_end"
            )
        }
        if let cursor = request.paginationCursor, cursor.isZero {
            return Self.archiveError(request, "INVALID_QUERY: all zeroes cursor hash")
        }
        return nil
    }

    /// nwaku's answer when the cursor's hash is not stored.
    package static func cursorNotFound(_ request: StoreQueryRequest) -> StoreQueryResponse {
        Self.archiveError(request, "DRIVER_ERROR: cursor not found")
    }

    /// nwaku's answer to a database failure; `message` is the driver's own text, never our SQL.
    package static func driverError(_ request: StoreQueryRequest, _ message: String) -> StoreQueryResponse {
        Self.archiveError(request, "DRIVER_ERROR: \(message)")
    }

    /// The response for rows fetched in the query's direction.
    ///
    /// - Parameters:
    ///   - request: the query.
    ///   - rows: up to `pageSize + 1` matching entries in the query's direction (the extra one
    ///     tells whether more follow).
    ///   - pageSize: the request's effective page size.
    ///   - lastExamined: the hash of the last row the scan looked at when it stopped at
    ///     ``StoreLimits/maxRowsExamined`` before it found `pageSize + 1` rows; nil otherwise.
    ///   - limits: the byte limit.
    /// - Returns: a success response, ascending, with a cursor at the last included row when the
    ///   page is full, the byte limit cut it short, or the scan stopped early.
    package static func page(
        _ request: StoreQueryRequest,
        rows: [WakuMessageKeyValue],
        pageSize: Int,
        lastExamined: MessageHash?,
        limits: StoreLimits
    ) -> StoreQueryResponse {
        var included: [WakuMessageKeyValue] = []
        var bytes = 0
        var cursor: MessageHash?
        for row in rows {
            let size = Self.encodedSizeBound(row)
            if included.count == pageSize || (!included.isEmpty && bytes + size > limits.maxPageBytes) {
                cursor = included.last?.messageHash
                break
            }
            included.append(row)
            bytes += size
        }
        if cursor == nil, let lastExamined { cursor = lastExamined }
        if !request.paginationForward { included.reverse() }
        return StoreQueryResponse(requestID: request.requestID, messages: included, paginationCursor: cursor)
    }

    /// An upper bound of the bytes `entry` adds to an encoded response: every field with the
    /// longest tag and length prefix it could have.
    package static func encodedSizeBound(_ entry: WakuMessageKeyValue) -> Int {
        var size = 6 + 2 + MessageHash.byteCount
        if let message = entry.message {
            size += 6 + 6 + message.payload.count + 6 + message.contentTopic.utf8.count + 6 + 11
            size += 6 + message.meta.count + 2 + 6 + message.rateLimitProof.count
        }
        if let topic = entry.pubsubTopic { size += 6 + topic.utf8.count }
        return size
    }

    /// nwaku's 300 wording: `StoreError($BAD_RESPONSE)` around `"archive error: " & $ArchiveError`.
    private static func archiveError(_ request: StoreQueryRequest, _ cause: String) -> StoreQueryResponse {
        StoreQueryResponse(
            requestID: request.requestID,
            statusCode: .badResponse,
            statusDesc: "BAD_RESPONSE: archive error: \(cause)"
        )
    }
}
