import Gossipsub
import Testing

@Suite("Message and peer keys")
struct KeyTests {
    @Test("a 32-byte id is held inline: equal ids are equal keys with equal hashes, and its bytes come back")
    func digestIDs() {
        let id = (0..<32).map { UInt8($0 * 7 & 0xff) }
        var other = id
        other[31] ^= 1
        #expect(MessageKey(id) == MessageKey(id))
        #expect(MessageKey(id).hashValue == MessageKey(Array(id)).hashValue)
        #expect(MessageKey(id) != MessageKey(other))
        #expect(MessageKey(id).bytes == id)
        #expect(MessageKey(other).bytes == other)
    }

    @Test("ids of other lengths keep their bytes and never equal a 32-byte id they start or end like")
    func otherLengths() {
        let digest = [UInt8](repeating: 0xab, count: 32)
        let longer = digest + [0]
        let shorter = Array(digest.prefix(31))
        let zeros = [UInt8](repeating: 0, count: 32)
        let keys: Set = [
            MessageKey(digest), MessageKey(longer), MessageKey(shorter), MessageKey(zeros), MessageKey([]),
        ]
        #expect(keys.count == 5)
        #expect(MessageKey(longer).bytes == longer)
        #expect(MessageKey(shorter).bytes == shorter)
        #expect(MessageKey([]).bytes.isEmpty)
        #expect(keys.contains(MessageKey(Array(longer))))
    }

    @Test("peer keys compare, order and hash by their bytes alone")
    func peerKeys() {
        let a = PeerKey(bytes: [0, 1, 2], description: "a")
        let sameBytes = PeerKey(bytes: [0, 1, 2], description: "another text")
        let b = PeerKey(bytes: [0, 1, 3], description: "b")
        let prefix = PeerKey(bytes: [0, 1], description: "p")
        #expect(a == sameBytes)
        #expect(a.hashValue == sameBytes.hashValue)
        #expect(a != b)
        #expect([b, a, prefix].sorted() == [prefix, a, b])
        #expect(a.description == "a")
    }
}
