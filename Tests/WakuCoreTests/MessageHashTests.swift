import Crypto
import Foundation
import Testing
import WakuCore
import WakuTestSupport

@Suite("Deterministic message hash")
struct MessageHashTests {
    @Test("every vector of message_hash.json hashes to its expected value")
    func vectors() throws {
        let file = try Vectors.json("message_hash.json")
        let vectors = try #require(file["vectors"] as? [[String: Any]])
        #expect(vectors.count == 9)
        for vector in vectors {
            let message = WakuMessage(
                payload: try Hex.decode(try #require(vector["payload_hex"] as? String)),
                contentTopic: try #require(vector["content_topic"] as? String),
                timestamp: try #require((vector["timestamp"] as? NSNumber)?.int64Value),
                meta: try Hex.decode(try #require(vector["meta_hex"] as? String))
            )
            let hash = message.hash(pubsubTopic: try #require(vector["pubsub_topic"] as? String))
            #expect(hash.hex == vector["expected_hash_hex"] as? String, "\(vector["name"] ?? "?")")
        }
    }

    @Test("version, ephemeral and the RLN proof do not change the hash")
    func ignoredFields() {
        let plain = WakuMessage(payload: [1, 2, 3], contentTopic: "/a/1/b/proto", timestamp: 42)
        var decorated = plain
        decorated.version = 2
        decorated.ephemeral = true
        decorated.rateLimitProof = [9, 9, 9]
        #expect(plain.hash(pubsubTopic: "/waku/2/rs/0/0") == decorated.hash(pubsubTopic: "/waku/2/rs/0/0"))
        #expect(plain.hash(pubsubTopic: "/waku/2/rs/0/0") != plain.hash(pubsubTopic: "/waku/2/rs/0/1"))
    }

    @Test("a negative timestamp is hashed as its 8 big-endian two's complement bytes")
    func negativeTimestamp() throws {
        let message = WakuMessage(payload: [7], contentTopic: "c", timestamp: -5)
        let concatenated = Array("/t".utf8) + [7] + Array("c".utf8) + [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfb]
        let expected = try MessageHash(bytes: Array(SHA256.hash(data: concatenated)))
        #expect(message.hash(pubsubTopic: "/t") == expected)
    }

    @Test("hashes order as unsigned bytes and round-trip through hex")
    func ordering() throws {
        let low = try MessageHash(hex: String(repeating: "00", count: 31) + "ff")
        let high = try MessageHash(hex: "01" + String(repeating: "00", count: 31))
        #expect(low < high)
        #expect(MessageHash.zero < low)
        #expect(high < MessageHash.max)
        #expect(try MessageHash(hex: high.hex) == high)
        #expect(high[byte: 0] == 1 && high[byte: 31] == 0 && low[byte: 31] == 0xff)
        #expect((low ^ low) == .zero)
    }

    @Test("malformed hash text is rejected with a reason")
    func malformedHex() {
        #expect(throws: CodecError.self) { try MessageHash(hex: "abc") }
        #expect(throws: CodecError.self) { try MessageHash(hex: String(repeating: "zz", count: 32)) }
        #expect(throws: CodecError.self) { try MessageHash(hex: String(repeating: "00", count: 31)) }
    }
}
