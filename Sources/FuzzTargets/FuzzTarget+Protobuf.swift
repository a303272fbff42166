internal import WakuCore

// The Waku protobufs (PROTOCOLS.md §1.1, §3.2, §5.1, §7.8). Each decoded value is encoded the way
// nwaku writes it and must decode to the same value; a repeated field takes at least two bytes of
// input per element (tag and length), which bounds every count.

extension FuzzTarget {
    /// `waku-message`: a WakuMessage as received in a transfer, a Store response or a file.
    static func wakuMessage(_ input: [UInt8]) {
        guard let message = try? WakuMessage(serialized: input) else { return }
        invariant(message.meta.count <= MessageLimits.maxMetaLength, "meta over the limit was accepted")
        invariant(message.payload.count <= input.count, "payload larger than the input")
        Self.checkRoundTrip(of: message)
        _ = message.hash(pubsubTopic: "/waku/2/rs/1/0")
    }

    /// `store-request`: a Store v3 query as a client sends it to our server.
    static func storeRequest(_ input: [UInt8]) {
        guard let request = try? StoreQueryRequest(serialized: input) else { return }
        invariant(request.messageHashes.count <= input.count / 2, "more hashes than the input holds")
        invariant(request.contentTopics.count <= input.count / 2, "more content topics than the input holds")
        invariant((1...100).contains(request.effectivePageSize), "page size \(request.effectivePageSize)")
        let encoded = request.serialized()
        invariant((try? StoreQueryRequest(serialized: encoded)) == request, "request changes when re-encoded")
    }

    /// `store-response`: a Store v3 answer as a store peer sends it to our client (and Resume).
    static func storeResponse(_ input: [UInt8]) {
        guard let response = try? StoreQueryResponse(serialized: input) else { return }
        invariant(response.messages.count <= input.count / 2, "more entries than the input holds")
        for entry in response.messages {
            invariant((entry.message == nil) == (entry.pubsubTopic == nil), "an entry has half a message")
            if let message = entry.message { Self.checkRoundTrip(of: message) }
        }
        let encoded = try? response.serialized()
        invariant(
            encoded.flatMap { try? StoreQueryResponse(serialized: $0) } == response,
            "response changes when re-encoded"
        )
    }

    /// `transfer-payload`: one message pushed by a sync peer.
    static func transferPayload(_ input: [UInt8]) {
        guard let payload = try? TransferPayload(serialized: input) else { return }
        Self.checkRoundTrip(of: payload.message)
        let encoded = payload.serialized()
        let again = try? TransferPayload(serialized: encoded, maxSize: .max)
        invariant(again == payload, "transfer payload changes when re-encoded")
        _ = payload.message.hash(pubsubTopic: payload.pubsubTopic)
    }

    /// `metadata`: a peer's metadata request or response.
    static func metadata(_ input: [UInt8]) {
        guard let metadata = try? MetadataMessage(serialized: input) else { return }
        invariant(metadata.shards.count <= input.count, "more shards than input bytes")
        let encoded = metadata.serialized()
        invariant((try? MetadataMessage(serialized: encoded)) == metadata, "metadata changes when re-encoded")
    }

    /// nwaku's encoding writes every field, so it may be a few bytes longer than a minimal input
    /// near the size limit; the round trip is checked without the limit.
    private static func checkRoundTrip(of message: WakuMessage) {
        let encoded = message.serialized()
        let again = try? WakuMessage(serialized: encoded, maxSize: .max)
        invariant(again == message, "message changes when re-encoded")
        invariant(again?.serialized() == encoded, "message encoding is not stable")
    }
}
