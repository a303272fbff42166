internal import Foundation
internal import SwiftProtobuf

/// One pushed message of the transfer protocol: the message and the pubsub topic it belongs to
/// (PROTOCOLS.md §5.1). The archive audit's fetch and push frames carry the same pair, in their
/// own encoding (§12.3).
package struct TransferPayload: Equatable, Sendable {
    package var pubsubTopic: String
    package var message: WakuMessage

    package init(pubsubTopic: String, message: WakuMessage) {
        self.pubsubTopic = pubsubTopic
        self.message = message
    }

    /// nwaku's bytes: `0a <topic> 12 <WakuMessage>`.
    package func serialized() -> [UInt8] {
        let topic = self.pubsubTopic.utf8
        let messageSize = self.message.encodedSize
        var out: [UInt8] = []
        out.reserveCapacity(topic.count + messageSize + 12)
        out.append(0x0a)
        Varint.append(UInt64(topic.count), to: &out)
        out.append(contentsOf: topic)
        out.append(0x12)
        Varint.append(UInt64(messageSize), to: &out)
        self.message.append(to: &out)
        return out
    }

    /// Decodes a pushed message; both fields are required, as nwaku requires them, and the
    /// message obeys ``WakuMessage/init(serialized:maxSize:)``'s limits.
    package init(serialized bytes: [UInt8], maxSize: Int = MessageLimits.maxMessageSize) throws(CodecError) {
        guard bytes.count <= maxSize else {
            throw CodecError(.tooLarge, at: 0, "transfer payload of \(bytes.count) bytes exceeds \(maxSize)")
        }
        let proto: Waku_Sync_Transfer_WakuMessageAndTopic
        do {
            proto = try Waku_Sync_Transfer_WakuMessageAndTopic(serializedBytes: bytes)
        } catch {
            throw CodecError(.invalidValue, at: 0, "transfer payload protobuf: \(error)")
        }
        guard proto.hasPubsubTopic else {
            throw CodecError(.missingField, at: 0, "transfer payload lacks pubsub_topic (1)")
        }
        guard proto.hasMessage else { throw CodecError(.missingField, at: 0, "transfer payload lacks message (2)") }
        self.init(pubsubTopic: proto.pubsubTopic, message: try WakuMessage(proto: proto.message))
    }
}
