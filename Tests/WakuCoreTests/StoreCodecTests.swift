import Testing
import WakuCore
import WakuTestSupport

@Suite("Store v3 codec")
struct StoreCodecTests {
    /// The vector entry named `name` from `protobuf_nwaku.json`.
    private static func vector(_ name: String) throws -> [String: Any] {
        let file = try Vectors.json("protobuf_nwaku.json")
        let vectors = try #require(file["vectors"] as? [[String: Any]])
        return try #require(vectors.first { $0["name"] as? String == name })
    }

    private static func encoded(_ name: String) throws -> [UInt8] {
        try Hex.decode(try #require(try Self.vector(name)["encoded_hex"] as? String))
    }

    /// The message of the `waku_message_nwaku` vector, built from its fields.
    private static func vectorMessage() throws -> WakuMessage {
        let fields = try #require(try Self.vector("waku_message_nwaku")["fields"] as? [String: Any])
        return WakuMessage(
            payload: try Hex.decode(try #require(fields["payload_hex"] as? String)),
            contentTopic: try #require(fields["content_topic"] as? String),
            version: 0,
            timestamp: try #require(fields["timestamp"] as? Int64),
            meta: try Hex.decode(try #require(fields["meta_hex"] as? String))
        )
    }

    private static let hash = try! MessageHash(hex: "b9b4852f9d8c489846e8bfc6c5ca6a1a8d460a40d28832a966e029eb39619199")

    private static var contentRequest: StoreQueryRequest {
        StoreQueryRequest(
            requestID: "req-1",
            includeData: true,
            pubsubTopic: "/waku/2/rs/0/0",
            contentTopics: ["/waku/2/default-content/proto"],
            timeStart: 1_681_964_400_000_000_000,
            timeEnd: 1_681_964_500_000_000_000,
            paginationForward: true,
            paginationLimit: 20
        )
    }

    private static var hashesRequest: StoreQueryRequest {
        StoreQueryRequest(requestID: "req-2", includeData: false, messageHashes: [Self.hash], paginationForward: false)
    }

    private static func vectorResponse() throws -> StoreQueryResponse {
        StoreQueryResponse(
            requestID: "req-1",
            statusCode: .success,
            statusDesc: "OK",
            messages: [
                WakuMessageKeyValue(
                    messageHash: Self.hash,
                    message: try Self.vectorMessage(),
                    pubsubTopic: "/waku/2/rs/0/0"
                )
            ],
            paginationCursor: Self.hash
        )
    }

    @Test("a content-filtered request encodes byte for byte as nwaku writes it")
    func contentRequestMatchesVector() throws {
        #expect(Self.contentRequest.serialized() == (try Self.encoded("store_request_content")))
    }

    @Test("a hash-lookup request encodes with include_data and pagination_forward written as 0")
    func hashesRequestMatchesVector() throws {
        #expect(Self.hashesRequest.serialized() == (try Self.encoded("store_request_hashes")))
    }

    @Test("a response with a message and a cursor encodes byte for byte as nwaku writes it")
    func responseMatchesVector() throws {
        #expect(try Self.vectorResponse().serialized() == (try Self.encoded("store_response")))
    }

    @Test("every Store vector decodes to the values it was made from")
    func vectorsDecode() throws {
        #expect(try StoreQueryRequest(serialized: Self.encoded("store_request_content")) == Self.contentRequest)
        #expect(try StoreQueryRequest(serialized: Self.encoded("store_request_hashes")) == Self.hashesRequest)
        #expect(try StoreQueryResponse(serialized: Self.encoded("store_response")) == Self.vectorResponse())
    }

    @Test("fields nwaku always writes are written even when zero or empty")
    func alwaysWrittenFields() throws {
        let request = StoreQueryRequest(requestID: "")
        // request_id "" (0a 00), include_data 0 (10 00), pagination_forward 0 (a0 03 00).
        #expect(request.serialized().hexString == "0a001000a00300")
        let response = StoreQueryResponse(requestID: "", statusCode: .badResponse, statusDesc: "")
        // request_id "", status_code 300 (50 ac 02), status_desc "" (5a 00).
        #expect(try response.serialized().hexString == "0a0050ac025a00")
    }

    @Test("a request without request_id is rejected with nwaku's wording")
    func missingRequestID() {
        // include_data 1 only.
        #expect(throws: CodecError(.missingField, at: 0, "MissingRequiredField request_id")) {
            try StoreQueryRequest(serialized: [0x10, 0x01])
        }
        let response = StoreQueryResponse.decodingFailed(
            CodecError(.missingField, at: 0, "MissingRequiredField request_id")
        )
        #expect(response.statusCode == .badRequest)
        #expect(response.requestID.isEmpty)
        #expect(response.statusDesc == "decoding rpc failed: MissingRequiredField request_id")
    }

    @Test("absent optional request fields decode as nwaku reads them: no data, backward, no limit")
    func absentRequestFields() throws {
        let request = try StoreQueryRequest(serialized: [0x0a, 0x01, 0x78])
        #expect(request == StoreQueryRequest(requestID: "x"))
        #expect(request.paginationForward == false)
        #expect(request.includeData == false)
        #expect(request.effectivePageSize == 20)
    }

    @Test("page size: absent or 0 is 20, larger than 100 is 100")
    func pageSizeRules() {
        let sizes: [(UInt64?, Int)] = [
            (nil, 20), (0, 20), (1, 1), (20, 20), (99, 99), (100, 100), (101, 100), (.max, 100),
        ]
        for (limit, expected) in sizes {
            #expect(StoreQueryRequest(requestID: "r", paginationLimit: limit).effectivePageSize == expected)
        }
    }

    /// A length-delimited protobuf field: `tag`, the length, `bytes`.
    private static func field(_ tag: [UInt8], _ bytes: [UInt8]) -> [UInt8] {
        precondition(bytes.count < 128, "one-byte lengths only")
        return tag + [UInt8(bytes.count)] + bytes
    }

    @Test("hash fields of the wrong length are zero-padded or truncated to 32 bytes, like nwaku's copyFrom")
    func hashLengths() throws {
        let requestID = Self.field([0x0a], Array("r".utf8))
        let short =
            requestID + Self.field([0x9a, 0x03], [0xab, 0xcd])
            + Self.field([0xa2, 0x01], [UInt8](repeating: 0x11, count: 40))
        let request = try StoreQueryRequest(serialized: short)
        #expect(request.paginationCursor == (try MessageHash(bytes: [0xab, 0xcd] + [UInt8](repeating: 0, count: 30))))
        #expect(request.messageHashes == [try MessageHash(bytes: [UInt8](repeating: 0x11, count: 32))])
        let empty = try StoreQueryRequest(serialized: requestID + Self.field([0x9a, 0x03], []))
        #expect(empty.paginationCursor == .zero)
    }

    @Test("a response lacking request_id, status_code or status_desc is rejected")
    func responseRequiredFields() throws {
        let requestID = Self.field([0x0a], Array("r".utf8))
        let statusCode: [UInt8] = [0x50, 0xc8, 0x01]
        let statusDesc = Self.field([0x5a], Array("OK".utf8))
        #expect(
            try StoreQueryResponse(serialized: requestID + statusCode + statusDesc)
                == StoreQueryResponse(requestID: "r")
        )
        for (field, bytes) in [
            ("request_id", statusCode + statusDesc),
            ("status_code", requestID + statusDesc),
            ("status_desc", requestID + statusCode),
        ] {
            #expect(throws: CodecError(.missingField, at: 0, "MissingRequiredField \(field)")) {
                try StoreQueryResponse(serialized: bytes)
            }
        }
    }

    @Test("an entry is read as hash-only unless it carries both message and pubsub topic")
    func entryPresenceRules() throws {
        let header = Self.field([0x0a], Array("r".utf8)) + [0x50, 0xc8, 0x01] + Self.field([0x5a], Array("OK".utf8))
        let hashField = Self.field([0x0a], Self.hash.bytes)
        let messageField = Self.field([0x12], try Self.vectorMessage().serialized())
        let withoutTopic = header + Self.field([0xa2, 0x01], hashField + messageField)
        let decoded = try StoreQueryResponse(serialized: withoutTopic)
        #expect(decoded.messages == [WakuMessageKeyValue(messageHash: Self.hash)])
        // Without the hash the whole response is rejected.
        let withoutHash = header + Self.field([0xa2, 0x01], messageField + Self.field([0x1a], Array("t".utf8)))
        #expect(throws: CodecError(.missingField, at: 0, "MissingRequiredField message_hash")) {
            try StoreQueryResponse(serialized: withoutHash)
        }
        // Encoding a half-filled entry writes only the hash.
        let halfFilled = StoreQueryResponse(
            requestID: "r",
            messages: [WakuMessageKeyValue(messageHash: Self.hash, message: try Self.vectorMessage())]
        )
        #expect(try halfFilled.serialized() == header + Self.field([0xa2, 0x01], hashField))
    }

    @Test("unknown status codes survive a round trip; the 429 answer is nwaku's")
    func statusCodes() throws {
        let odd = StoreQueryResponse(requestID: "r", statusCode: StoreStatus(rawValue: 201), statusDesc: "?")
        let decoded = try StoreQueryResponse(serialized: try odd.serialized())
        #expect(decoded.statusCode.rawValue == 201)
        #expect(decoded.statusCode.name == "UNKNOWN")
        #expect(!decoded.statusCode.isSuccess)
        let limited = StoreQueryResponse.tooManyRequests
        #expect(limited.requestID == "N/A")
        #expect(limited.statusCode.rawValue == 429)
        #expect(limited.statusDesc == "TOO_MANY_REQUESTS")
    }

    @Test("garbage bytes are reported, not crashed on")
    func garbage() {
        for bytes: [UInt8] in [[0xff], [0x0a, 0x05, 0x61], [0x0a, 0x80], [0xa2, 0x01, 0x40, 0x00]] {
            #expect(throws: CodecError.self) { try StoreQueryRequest(serialized: bytes) }
            #expect(throws: CodecError.self) { try StoreQueryResponse(serialized: bytes) }
        }
    }
}
