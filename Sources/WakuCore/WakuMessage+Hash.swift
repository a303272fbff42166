internal import Crypto

extension WakuMessage {
    /// The deterministic message hash (PROTOCOLS.md §1.2) of this message on `pubsubTopic`.
    package func hash(pubsubTopic: String) -> MessageHash {
        MessageHash.computed(
            pubsubTopic: pubsubTopic,
            payload: self.payload,
            contentTopic: self.contentTopic,
            meta: self.meta,
            timestamp: self.timestamp
        )
    }
}

extension MessageHash {
    /// SHA-256 over pubsub topic, payload, content topic, meta and the 8-byte big-endian timestamp,
    /// concatenated without separators.
    ///
    /// nwaku always appends the timestamp, even when the message had none (it is then 0), where
    /// the RFC text would leave it out (PROTOCOLS.md §8 #12); we follow nwaku.
    package static func computed(
        pubsubTopic: String,
        payload: [UInt8],
        contentTopic: String,
        meta: [UInt8],
        timestamp: Int64
    ) -> MessageHash {
        var hasher = SHA256()
        var topic = pubsubTopic
        topic.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        payload.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        var content = contentTopic
        content.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        meta.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        withUnsafeBytes(of: UInt64(bitPattern: timestamp).bigEndian) { hasher.update(bufferPointer: $0) }
        return hasher.finalize().withUnsafeBytes { MessageHash($0, at: 0) }
    }
}
