import WakuCore

// What waku_py_peer.py prints, decoded (snake_case keys), for NodeInteropTests.

/// A page reduced to what paging decides: its hashes (ascending) and its cursor, in hex.
struct PageView: Equatable, CustomStringConvertible {
    var hashes: [String]
    var cursor: String?

    init(hashes: [String], cursor: String?) {
        self.hashes = hashes
        self.cursor = cursor
    }

    init(_ page: ReportedPage) {
        self.init(hashes: page.entries.map(\.hash), cursor: page.cursor)
    }

    init(_ response: StoreQueryResponse) {
        self.init(hashes: response.messages.map(\.messageHash.hex), cursor: response.paginationCursor?.hex)
    }

    var description: String { "\(self.hashes.map { $0.prefix(8) }) cursor \(self.cursor?.prefix(8) ?? "none")" }
}

/// A Store response as the script decoded it (`fields`: the field numbers present).
struct ReportedPage: Decodable {
    struct Entry: Decodable {
        var fields: [Int]
        var hash: String
        var message: ReportedMessage?
        var pubsubTopic: String?
        var hashOk: Bool?
    }

    var fields: [Int]
    var requestId: String
    var status: Int
    var desc: String
    var entries: [Entry]
    var cursor: String?
    var requestIdEchoed: Bool?
}

/// A Waku message in the script's JSON (hex bytes).
struct ReportedMessage: Decodable {
    var contentTopic: String
    var payload: String
    var meta: String
    var version: UInt32
    var timestamp: Int64
    var fields: [Int]?
    var rateLimitProof: String?
    var ephemeral: Int?
}

/// One of the messages the script's Store server holds.
struct ListedMessage: Decodable {
    var pubsubTopic: String
    var contentTopic: String
    var payload: String
    var meta: String
    var version: UInt32
    var timestamp: Int64
    var hash: String

    func transferPayload() throws -> TransferPayload {
        TransferPayload(
            pubsubTopic: self.pubsubTopic,
            message: WakuMessage(
                payload: try Hex.decode(self.payload),
                contentTopic: self.contentTopic,
                version: self.version,
                timestamp: self.timestamp,
                meta: try Hex.decode(self.meta)
            )
        )
    }
}

/// The `RESULT` line of a dial run.
struct DialResult: Decodable {
    var peerId: String
    var connectError: String?
}

/// The `RESULT` line of the Store plan.
struct StorePlanResult: Decodable {
    var peerId: String
    var forwardData: [ReportedPage]
    var forwardHashes: [ReportedPage]
    var backwardData: [ReportedPage]
    var backwardHashes: [ReportedPage]
    var lookup: ReportedPage
    var garbage: ReportedPage
    var noRequestId: ReportedPage
}

/// A `PEER` line: what the script learned about a peer.
struct PeerReport: Decodable {
    struct Identify: Decodable {
        var agent: String
        var protocolVersion: String
        var protocols: [String]
        var listenAddrs: Int
        var hasObservedAddr: Bool
        var keyType: String
        var keyPeerId: String
    }

    var peer: String
    var identify: Identify?
    var identifyError: String?
    var metadata: MetadataReport?
    var metadataError: String?
}

/// A metadata message as the script decoded it.
struct MetadataReport: Decodable {
    var peer: String?
    var hex: String
    var clusterId: UInt32?
    var shards: [UInt32]
}

/// A `REQUEST` line: a Store request as the script decoded it, and the fields it carried.
struct ReceivedRequest: Decodable, Equatable {
    var fields: [Int]
    var requestId: String
    var includeData: Bool
    var pubsubTopic: String?
    var contentTopics: [String]
    var timeStart: Int64?
    var timeEnd: Int64?
    var hashes: [String]
    var cursor: String?
    var forward: Bool
    var limit: UInt64?

    /// What the script should decode from `request` written as nwaku writes it.
    init(_ request: StoreQueryRequest) {
        var fields = [1, 2]
        if request.pubsubTopic != nil { fields.append(10) }
        fields += request.contentTopics.map { _ in 11 }
        if request.timeStart != nil { fields.append(12) }
        if request.timeEnd != nil { fields.append(13) }
        fields += request.messageHashes.map { _ in 20 }
        if request.paginationCursor != nil { fields.append(51) }
        fields.append(52)
        if request.paginationLimit != nil { fields.append(53) }
        self.fields = fields
        self.requestId = request.requestID
        self.includeData = request.includeData
        self.pubsubTopic = request.pubsubTopic
        self.contentTopics = request.contentTopics
        self.timeStart = request.timeStart
        self.timeEnd = request.timeEnd
        self.hashes = request.messageHashes.map(\.hex)
        self.cursor = request.paginationCursor?.hex
        self.forward = request.paginationForward
        self.limit = request.paginationLimit
    }
}
