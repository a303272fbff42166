import Foundation
import Testing
import WakuCore
import WakuTestSupport

@Suite("WakuMessage protobuf")
struct WakuMessageCodecTests {
    static func vector(_ name: String) throws -> [String: Any] {
        let vectors = try #require(try Vectors.json("protobuf_nwaku.json")["vectors"] as? [[String: Any]])
        return try #require(vectors.first { $0["name"] as? String == name })
    }

    static let sample = WakuMessage(
        payload: [0x01, 0x02, 0x03, 0x04, 0x54, 0x45, 0x53, 0x54, 0x05, 0x06, 0x07, 0x08],
        contentTopic: "/waku/2/default-content/proto",
        timestamp: 1_681_964_442_000_000_000,
        meta: Array("super-secret".utf8)
    )

    @Test("our encoding is nwaku's, byte for byte: all seven fields, zero values included")
    func nwakuBytes() throws {
        let vector = try Self.vector("waku_message_nwaku")
        #expect(Self.sample.serialized().hexString == vector["encoded_hex"] as? String)
    }

    @Test("the nwaku form and the minimal proto3 form both decode to the same message")
    func decodesBothForms() throws {
        for name in ["waku_message_nwaku", "waku_message_minimal"] {
            let bytes = try Hex.decode(try #require(try Self.vector(name)["encoded_hex"] as? String))
            #expect(try WakuMessage(serialized: bytes) == Self.sample, "\(name)")
        }
    }

    @Test("a missing timestamp is written as 50 00 and reads back as 0")
    func missingTimestamp() throws {
        let message = WakuMessage(payload: [], contentTopic: "/a/1/b/c")
        let bytes = message.serialized()
        #expect(bytes.hexString == "0a0012082f612f312f622f631800500" + "05a00aa0100f80100")
        #expect(try WakuMessage(serialized: bytes) == message)
    }

    @Test("a message without payload or content topic is rejected, as nwaku does")
    func requiredFields() throws {
        // content topic only (field 2)
        #expect(throws: CodecError.self) { try WakuMessage(serialized: [0x12, 0x01, 0x61]) }
        // payload only (field 1)
        #expect(throws: CodecError.self) { try WakuMessage(serialized: [0x0a, 0x01, 0x61]) }
        #expect(try WakuMessage(serialized: [0x0a, 0x00, 0x12, 0x00]) == WakuMessage(payload: [], contentTopic: ""))
    }

    @Test("meta longer than 64 bytes and oversized messages are rejected")
    func limits() throws {
        var message = Self.sample
        message.meta = Array(repeating: 1, count: 65)
        let error = #expect(throws: CodecError.self) { try WakuMessage(serialized: message.serialized()) }
        #expect(error?.code == .tooLarge)
        message.meta = Array(repeating: 1, count: 64)
        #expect(try WakuMessage(serialized: message.serialized()) == message)
        message.payload = Array(repeating: 0, count: MessageLimits.maxMessageSize)
        #expect(throws: CodecError.self) { try WakuMessage(serialized: message.serialized()) }
    }

    @Test("garbage and truncated bytes are errors, not crashes")
    func garbage() {
        let encoded = Self.sample.serialized()
        for length in 0..<encoded.count {
            _ = try? WakuMessage(serialized: Array(encoded.prefix(length)))
        }
        #expect(throws: CodecError.self) { try WakuMessage(serialized: [0xff, 0xff, 0xff]) }
        #expect(throws: CodecError.self) { try WakuMessage(serialized: Array(encoded.dropLast(2))) }
    }

    @Test("every field round-trips, including the proof and the ephemeral flag")
    func roundTrip() throws {
        let message = WakuMessage(
            payload: [0, 1, 2],
            contentTopic: "/app/1/chat/proto",
            version: 1,
            timestamp: -1,
            meta: [9],
            rateLimitProof: Array(repeating: 7, count: 300),
            ephemeral: true
        )
        #expect(try WakuMessage(serialized: message.serialized()) == message)
    }
}
