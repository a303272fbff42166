internal import Foundation
internal import SwiftProtobuf

extension WakuMessage {
    /// The protobuf encoding, byte-identical to nwaku's: all seven fields, zero values included,
    /// in field-number order (PROTOCOLS.md §0.1, §1.1).
    package func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(self.encodedSize)
        self.append(to: &out)
        return out
    }

    /// Appends ``serialized()`` to `out`, written by hand (the same bytes swift-protobuf writes
    /// for ``proto``, pinned by the vectors) so that no encoder error can reach a caller.
    package func append(to out: inout [UInt8]) {
        func bytes(_ tag: [UInt8], _ value: some Collection<UInt8>) {
            out.append(contentsOf: tag)
            Varint.append(UInt64(value.count), to: &out)
            out.append(contentsOf: value)
        }
        bytes([0x0a], self.payload)
        bytes([0x12], self.contentTopic.utf8)
        out.append(0x18)
        Varint.append(UInt64(self.version), to: &out)
        out.append(0x50)
        Varint.append(UInt64(bitPattern: (self.timestamp << 1) ^ (self.timestamp >> 63)), to: &out)
        bytes([0x5a], self.meta)
        bytes([0xaa, 0x01], self.rateLimitProof)
        out.append(contentsOf: [0xf8, 0x01, self.ephemeral ? 1 : 0])
    }

    /// Decodes a message, enforcing nwaku's rules: `payload` and `content_topic` must be present,
    /// `meta` is at most 64 bytes, the whole message at most `maxSize` bytes.
    package init(serialized bytes: [UInt8], maxSize: Int = MessageLimits.maxMessageSize) throws(CodecError) {
        guard bytes.count <= maxSize else {
            throw CodecError(.tooLarge, at: 0, "message of \(bytes.count) bytes exceeds the limit of \(maxSize)")
        }
        let proto: Waku_Message_V1_WakuMessage
        do {
            proto = try Waku_Message_V1_WakuMessage(serializedBytes: bytes)
        } catch {
            throw CodecError(.invalidValue, at: 0, "WakuMessage protobuf: \(error)")
        }
        try self.init(proto: proto)
    }

    /// Converts from the generated type, applying the same checks as ``init(serialized:maxSize:)``.
    package init(proto: Waku_Message_V1_WakuMessage) throws(CodecError) {
        guard proto.hasPayload else {
            throw CodecError(.missingField, at: 0, "WakuMessage lacks payload (field 1), which nwaku requires")
        }
        guard proto.hasContentTopic else {
            throw CodecError(.missingField, at: 0, "WakuMessage lacks content_topic (field 2), which nwaku requires")
        }
        guard proto.meta.count <= MessageLimits.maxMetaLength else {
            throw CodecError(
                .tooLarge,
                at: 0,
                "meta of \(proto.meta.count) bytes exceeds \(MessageLimits.maxMetaLength)"
            )
        }
        self.init(
            payload: [UInt8](proto.payload),
            contentTopic: proto.contentTopic,
            version: proto.version,
            timestamp: proto.timestamp,
            meta: [UInt8](proto.meta),
            rateLimitProof: [UInt8](proto.rateLimitProof),
            ephemeral: proto.ephemeral
        )
    }

    /// The generated-type form with every field set, as nwaku writes it.
    package var proto: Waku_Message_V1_WakuMessage {
        var proto = Waku_Message_V1_WakuMessage()
        proto.payload = Data(self.payload)
        proto.contentTopic = self.contentTopic
        proto.version = self.version
        proto.timestamp = self.timestamp
        proto.meta = Data(self.meta)
        proto.rateLimitProof = Data(self.rateLimitProof)
        proto.ephemeral = self.ephemeral
        return proto
    }
}
