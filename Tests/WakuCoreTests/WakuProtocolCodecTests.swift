import Foundation
import Testing
import WakuCore
import WakuTestSupport

@Suite("Transfer and metadata protobuf")
struct WakuProtocolCodecTests {
    @Test("the transfer payload is nwaku's: pubsub topic in field 1, message in field 2")
    func transferVector() throws {
        let vector = try WakuMessageCodecTests.vector("transfer_nwaku")
        let payload = TransferPayload(pubsubTopic: "/waku/2/rs/0/0", message: WakuMessageCodecTests.sample)
        #expect(payload.serialized().hexString == vector["encoded_hex"] as? String)
        let decoded = try TransferPayload(serialized: try Hex.decode(try #require(vector["encoded_hex"] as? String)))
        #expect(decoded == payload)
    }

    @Test("a transfer payload without topic or message, or too large, is refused")
    func transferErrors() throws {
        let message = WakuMessageCodecTests.sample.serialized()
        #expect(throws: CodecError.self) { try TransferPayload(serialized: [0x12, UInt8(message.count)] + message) }
        #expect(throws: CodecError.self) { try TransferPayload(serialized: [0x0a, 0x01, 0x61]) }
        #expect(throws: CodecError.self) { try TransferPayload(serialized: [0xff]) }
        let big = TransferPayload(pubsubTopic: "/t", message: WakuMessage(payload: Array(repeating: 1, count: 160_000), contentTopic: "c"))
        #expect((#expect(throws: CodecError.self) { try TransferPayload(serialized: big.serialized()) })?.code == .tooLarge)
    }

    @Test("metadata is written as nwaku writes it and read in all three shard forms")
    func metadataVector() throws {
        let vector = try WakuMessageCodecTests.vector("metadata_request_nwaku")
        let message = MetadataMessage(clusterID: 1, shards: [0, 1])
        #expect(message.serialized().hexString == vector["encoded_hex"] as? String)
        #expect(try MetadataMessage(serialized: message.serialized()) == message)
        // field 3 packed only; field 2 packed; field 2 unpacked.
        #expect(try MetadataMessage(serialized: [0x08, 0x01, 0x1a, 0x02, 0x00, 0x01]) == message)
        #expect(try MetadataMessage(serialized: [0x08, 0x01, 0x12, 0x02, 0x00, 0x01]) == message)
        #expect(try MetadataMessage(serialized: [0x08, 0x01, 0x10, 0x00, 0x10, 0x01]) == message)
        #expect(try MetadataMessage(serialized: []) == MetadataMessage(clusterID: nil, shards: []))
        #expect(throws: CodecError.self) { try MetadataMessage(serialized: [0x08]) }
    }
}
