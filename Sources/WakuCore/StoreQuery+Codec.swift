internal import Foundation
internal import SwiftProtobuf

// Store v3 encodings byte-identical to nwaku's `waku/waku_store/rpc_codec.nim` (PROTOCOLS.md §0.1,
// §3.2): the fields nwaku always writes are always set on the generated proto2 types, so
// swift-protobuf emits them even when zero or empty, in field-number order; the fields nwaku
// requires by presence are checked on decode.

extension StoreQueryRequest {
    /// The protobuf encoding, as nwaku writes it: request_id, include_data and
    /// pagination_forward always, everything else when set.
    package func serialized() -> [UInt8] {
        // The schema has no required fields, so serialising cannot fail.
        try! self.proto.serializedBytes()
    }

    /// Decodes a request as nwaku does: request_id must be present; absent include_data is
    /// false, absent pagination_forward is backward; hashes are zero-padded or truncated to 32
    /// bytes.
    package init(serialized bytes: [UInt8]) throws(CodecError) {
        let proto: Waku_Store_V3_StoreQueryRequest = try decodeProto(bytes, "StoreQueryRequest")
        guard proto.hasRequestID else {
            // nwaku's wording, so a 400 built from this error reads like nwaku's.
            throw CodecError(.missingField, at: 0, "MissingRequiredField request_id")
        }
        self.init(
            requestID: proto.requestID,
            includeData: proto.includeData,
            pubsubTopic: proto.hasPubsubTopic ? proto.pubsubTopic : nil,
            contentTopics: proto.contentTopics,
            timeStart: proto.hasTimeStart ? proto.timeStart : nil,
            timeEnd: proto.hasTimeEnd ? proto.timeEnd : nil,
            messageHashes: proto.messageHashes.map(MessageHash.init(nwakuCopying:)),
            paginationCursor: proto.hasPaginationCursor ? MessageHash(nwakuCopying: proto.paginationCursor) : nil,
            paginationForward: proto.paginationForward,
            paginationLimit: proto.hasPaginationLimit ? proto.paginationLimit : nil
        )
    }

    /// The generated-type form with every field nwaku writes set.
    package var proto: Waku_Store_V3_StoreQueryRequest {
        var proto = Waku_Store_V3_StoreQueryRequest()
        proto.requestID = self.requestID
        proto.includeData = self.includeData
        if let topic = self.pubsubTopic { proto.pubsubTopic = topic }
        proto.contentTopics = self.contentTopics
        if let start = self.timeStart { proto.timeStart = start }
        if let end = self.timeEnd { proto.timeEnd = end }
        proto.messageHashes = self.messageHashes.map { Data($0.bytes) }
        if let cursor = self.paginationCursor { proto.paginationCursor = Data(cursor.bytes) }
        proto.paginationForward = self.paginationForward
        if let limit = self.paginationLimit { proto.paginationLimit = limit }
        return proto
    }
}

extension StoreQueryResponse {
    /// The protobuf encoding, as nwaku writes it: request_id, status_code and status_desc
    /// always (also when empty), the entries, and the cursor when set.
    ///
    /// - Throws: ``CodecError`` `tooLarge` when the page cannot be encoded (protobuf's 2 GiB
    ///   bound); the archive caps pages far below that, this keeps a stored message from ever
    ///   trapping the server.
    package func serialized() throws(CodecError) -> [UInt8] {
        do {
            return try self.proto.serializedBytes()
        } catch {
            throw CodecError(
                .tooLarge,
                at: 0,
                "Store response of \(self.messages.count) entries cannot be encoded: \(error)"
            )
        }
    }

    /// Decodes a response as nwaku's client does: request_id, status_code and status_desc must
    /// be present, every entry must carry a hash, and an entry's message is read only when its
    /// pubsub topic is present too.
    package init(serialized bytes: [UInt8]) throws(CodecError) {
        let proto: Waku_Store_V3_StoreQueryResponse = try decodeProto(bytes, "StoreQueryResponse")
        guard proto.hasRequestID else {
            throw CodecError(.missingField, at: 0, "MissingRequiredField request_id")
        }
        guard proto.hasStatusCode else {
            throw CodecError(.missingField, at: 0, "MissingRequiredField status_code")
        }
        guard proto.hasStatusDesc else {
            throw CodecError(.missingField, at: 0, "MissingRequiredField status_desc")
        }
        var messages: [WakuMessageKeyValue] = []
        messages.reserveCapacity(proto.messages.count)
        for entry in proto.messages {
            messages.append(try WakuMessageKeyValue(proto: entry))
        }
        self.init(
            requestID: proto.requestID,
            statusCode: StoreStatus(rawValue: proto.statusCode),
            statusDesc: proto.statusDesc,
            messages: messages,
            paginationCursor: proto.hasPaginationCursor ? MessageHash(nwakuCopying: proto.paginationCursor) : nil
        )
    }

    /// The generated-type form with every field nwaku writes set.
    package var proto: Waku_Store_V3_StoreQueryResponse {
        var proto = Waku_Store_V3_StoreQueryResponse()
        proto.requestID = self.requestID
        proto.statusCode = self.statusCode.rawValue
        proto.statusDesc = self.statusDesc
        proto.messages = self.messages.map(\.proto)
        if let cursor = self.paginationCursor { proto.paginationCursor = Data(cursor.bytes) }
        return proto
    }
}

extension WakuMessageKeyValue {
    /// Converts from the generated type with nwaku's rules: the hash is required, the message is
    /// taken only together with its pubsub topic (and must itself decode as nwaku requires).
    package init(proto: Waku_Store_V3_WakuMessageKeyValue) throws(CodecError) {
        guard proto.hasMessageHash else {
            throw CodecError(.missingField, at: 0, "MissingRequiredField message_hash")
        }
        let hash = MessageHash(nwakuCopying: proto.messageHash)
        if proto.hasMessage && proto.hasPubsubTopic {
            self.init(messageHash: hash, message: try WakuMessage(proto: proto.message), pubsubTopic: proto.pubsubTopic)
        } else {
            self.init(messageHash: hash)
        }
    }

    /// The generated-type form: the hash always, message and pubsub topic only as a pair.
    package var proto: Waku_Store_V3_WakuMessageKeyValue {
        var proto = Waku_Store_V3_WakuMessageKeyValue()
        proto.messageHash = Data(self.messageHash.bytes)
        if let message = self.message, let topic = self.pubsubTopic {
            proto.message = message.proto
            proto.pubsubTopic = topic
        }
        return proto
    }
}

extension MessageHash {
    /// A hash from wire bytes of any length, as nwaku's `copyFrom` reads them: shorter input is
    /// zero-padded, longer input truncated to 32 bytes.
    ///
    /// Used for every hash field of Store v3 so that, for example, a short cursor gets the same
    /// answer from us as from nwaku (an unknown or all-zero cursor, status 300) instead of a
    /// decoding error (400).
    init(nwakuCopying data: Data) {
        var bytes = [UInt8](repeating: 0, count: MessageHash.byteCount)
        for (index, byte) in data.prefix(MessageHash.byteCount).enumerated() { bytes[index] = byte }
        self = bytes.withUnsafeBytes { MessageHash($0, at: 0) }
    }
}

/// Parses `bytes` as the generated message `M`, turning swift-protobuf's errors into ours.
private func decodeProto<M: SwiftProtobuf.Message>(_ bytes: [UInt8], _ name: String) throws(CodecError) -> M {
    do {
        return try M(serializedBytes: bytes)
    } catch {
        throw CodecError(.invalidValue, at: 0, "\(name) protobuf: \(error)")
    }
}
