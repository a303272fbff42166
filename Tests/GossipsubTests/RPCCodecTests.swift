import Gossipsub
import Testing

/// The §1.1 example WakuMessage (77 bytes) and the ids and topic of PROTOCOLS.md §10.2.
enum Vectors {
    static let topic = "/waku/2/rs/0/0"
    static let topicHex = "2f77616b752f322f72732f302f30"
    static let wakuMessage = Hex.bytes(
        """
        0a0c010203045445535405060708
        121d2f77616b752f322f64656661756c742d636f6e74656e742f70726f746f
        1800
        508090fca3f4efc4d72e
        5a0c73757065722d736563726574
        aa0100
        f80100
        """
    )
    static let messageIDHex = "789246a8aab9d382867f0a9c0447eeec577386dbf5ef9da98a0498787a9b648b"
    static let messageID = Hex.bytes(messageIDHex)

    /// Each line of §10.2: one LP frame as nwaku writes it.
    static let subscribe = Hex.bytes("14 0a12 0801 120e" + topicHex)
    static let publish = Hex.bytes("61 125f 124d" + Hex.string(wakuMessage) + "220e" + topicHex)
    static let graft = Hex.bytes("14 1a12 1a10 0a0e" + topicHex)
    static let prune60 = Hex.bytes("16 1a14 2212 0a0e" + topicHex + "183c")
    static let ihave = Hex.bytes("36 1a34 0a32 0a0e" + topicHex + "1220" + messageIDHex)
    static let iwant = Hex.bytes("26 1a24 1222 0a20" + messageIDHex)
    static let idontwant = Hex.bytes("26 1a24 2a22 0a20" + messageIDHex)

    /// An RPC's bytes with the one-byte length prefix every §10.2 frame has.
    static func framed(_ rpc: RPC) -> [UInt8] {
        let bytes = rpc.encoded()
        return [UInt8(bytes.count)] + bytes
    }
}

@Suite("RPC codec")
struct RPCCodecTests {
    @Test("the message id of the §1.1 example is SHA-256 of its bytes")
    func messageIDVector() {
        #expect(Vectors.wakuMessage.count == 77)
        #expect(SHA256.digest(Vectors.wakuMessage) == Vectors.messageID)
    }

    @Test("the encoder writes nwaku's bytes for every §10.2 example")
    func encoderMatchesNwaku() {
        let topic = Vectors.topic
        let id = Vectors.messageID
        #expect(Vectors.framed(RPC(subscriptions: [.init(subscribe: true, topic: topic)])) == Vectors.subscribe)
        #expect(
            Vectors.framed(RPC(messages: [.init(data: Vectors.wakuMessage, topic: topic)])) == Vectors.publish
        )
        #expect(Vectors.framed(RPC(control: .init(graft: [.init(topic: topic)]))) == Vectors.graft)
        #expect(Vectors.framed(RPC(control: .init(prune: [.init(topic: topic, backoff: 60)]))) == Vectors.prune60)
        #expect(Vectors.framed(RPC(control: .init(ihave: [.init(topic: topic, messageIDs: [id])]))) == Vectors.ihave)
        #expect(Vectors.framed(RPC(control: .init(iwant: [.init(messageIDs: [id])]))) == Vectors.iwant)
        #expect(Vectors.framed(RPC(control: .init(idontwant: [.init(messageIDs: [id])]))) == Vectors.idontwant)
    }

    @Test("every §10.2 example decodes and encodes back to the same bytes")
    func vectorsRoundTrip() throws {
        for frame in [
            Vectors.subscribe, Vectors.publish, Vectors.graft, Vectors.prune60, Vectors.ihave, Vectors.iwant,
            Vectors.idontwant,
        ] {
            #expect(Int(frame[0]) == frame.count - 1)
            let rpc = try RPC(decoding: Array(frame.dropFirst()))
            #expect(Vectors.framed(rpc) == frame)
        }
        let publish = try RPC(decoding: Array(Vectors.publish.dropFirst()))
        #expect(publish.messages == [RPC.Message(data: Vectors.wakuMessage, topic: Vectors.topic)])
        let prune = try RPC(decoding: Array(Vectors.prune60.dropFirst()))
        #expect(prune.control?.prune == [RPC.Prune(topic: Vectors.topic, backoff: 60)])
    }

    @Test("empty parts are left out: no control, no empty IWANT or IDONTWANT")
    func emptyPartsOmitted() {
        #expect(RPC(control: RPC.Control()).encoded().isEmpty)
        #expect(RPC(control: RPC.Control(iwant: [.init(messageIDs: [])])).encoded().isEmpty)
        #expect(RPC(control: RPC.Control(idontwant: [.init(messageIDs: [])])).encoded().isEmpty)
    }

    @Test("LaxNoSign fields, PRUNE peers and the unsubscribe flag survive a round trip")
    func fullRoundTrip() throws {
        let peerID = [0x00, 0x24] + [UInt8](repeating: 7, count: 36)
        let rpc = RPC(
            subscriptions: [.init(subscribe: false, topic: "/waku/2/rs/1/4")],
            messages: [
                .init(from: peerID, data: [1, 2, 3], seqno: [0, 0, 0, 0, 0, 0, 0, 9], topic: "t", key: [5])
            ],
            control: .init(prune: [.init(topic: "t", peers: [.init(peerID: peerID, signedPeerRecord: [])], backoff: 5)])
        )
        #expect(try RPC(decoding: rpc.encoded()) == rpc)
    }

    @Test("a message over 127 bytes gets two-byte lengths at both levels, measured before written")
    func longMessage() throws {
        let data = (0..<300).map { UInt8($0 & 0xff) }
        let bytes = RPC(messages: [RPC.Message(data: data, topic: Vectors.topic)]).encoded()
        let expected = Hex.bytes("12bf02 12ac02") + data + Hex.bytes("220e" + Vectors.topicHex)
        #expect(bytes == expected)
        #expect(try RPC(decoding: bytes).messages.first?.data == data)
    }

    @Test("every strict prefix of a frame is reported as truncated, not crashed on")
    func truncatedPrefixes() {
        for frame in [Vectors.publish, Vectors.ihave, Vectors.prune60, Vectors.subscribe] {
            let bytes = Array(frame.dropFirst())
            for length in 1..<bytes.count {
                #expect(throws: RPCDecodingError.self) { try RPC(decoding: Array(bytes.prefix(length))) }
            }
        }
        #expect(throws: RPCDecodingError(.truncated, at: 1, "message: varint runs past the end")) {
            try RPC(decoding: [0x12])
        }
    }

    @Test("unknown fields are skipped at every level")
    func unknownFieldsSkipped() throws {
        var bytes: [UInt8] = [0x22, 0x02, 0xAB, 0xCD]  // RPC field 4 (py-libp2p's senderRecord)
        bytes += [0xE2, 0x03, 0x01, 0x01]  // field 60, nim's ping
        bytes += [0x2D, 1, 2, 3, 4, 0x31, 1, 2, 3, 4, 5, 6, 7, 8]  // fixed32 and fixed64 fields
        bytes += Array(Vectors.graft.dropFirst())
        bytes += [0x1A, 0x04, 0x32, 0x02, 0x08, 0x01]  // control field 6 (extensions); the last control wins
        let rpc = try RPC(decoding: bytes)
        #expect(rpc.subscriptions.isEmpty && rpc.messages.isEmpty)
        #expect(rpc.control == RPC.Control())
        let message = [0x12, 0x06, 0x22, 0x01, 0x74, 0x38, 0x96, 0x01] as [UInt8]  // field 7 varint
        #expect(try RPC(decoding: message).messages == [RPC.Message(data: [], topic: "t")])
    }

    @Test("a message without a topic, or with a from that is no peer id, fails the whole RPC")
    func requiredFields() {
        #expect(throws: RPCDecodingError(.missingField, at: 2, "message has no topic")) {
            try RPC(decoding: [0x12, 0x02, 0x12, 0x00])
        }
        #expect(throws: RPCDecodingError(.invalidPeerID, at: 2, "message from is not a peer id")) {
            try RPC(decoding: [0x12, 0x06, 0x0A, 0x01, 0x99, 0x22, 0x01, 0x74])
        }
        let sha256ID = [0x12, 0x20] + [UInt8](repeating: 1, count: 32)
        let valid = RPC(messages: [.init(from: sha256ID, data: [], topic: "t")]).encoded()
        #expect(throws: Never.self) { try RPC(decoding: valid) }
    }

    @Test("bad wire types, varint overflow and invalid UTF-8 are typed errors with offsets")
    func malformed() {
        #expect(throws: RPCDecodingError(.invalidWireType, at: 0, "subscription has wire type 0, expected 2")) {
            try RPC(decoding: [0x08, 0x01])
        }
        #expect(throws: RPCDecodingError(.invalidWireType, at: 0, "field 7 has unsupported wire type 3")) {
            try RPC(decoding: [0x3B])
        }
        #expect(throws: RPCDecodingError(.varintOverflow, at: 0, "field tag: varint exceeds 64 bits")) {
            try RPC(decoding: [UInt8](repeating: 0xFF, count: 11))
        }
        #expect(throws: RPCDecodingError(.invalidUTF8, at: 4, "subscription topic is not valid UTF-8")) {
            try RPC(decoding: [0x0A, 0x03, 0x12, 0x01, 0xFF])
        }
    }

    @Test("limits on messages, control entries, ids and id length hold while decoding")
    func decodingLimits() {
        let limits = RPC.Limits(maxMessages: 2, maxControlEntries: 3, maxMessageIDs: 4, maxMessageIDLength: 32)
        let three = RPC(messages: Array(repeating: .init(data: [], topic: "t"), count: 3)).encoded()
        #expect(throws: RPCDecodingError.self) { try RPC(decoding: three, limits: limits) }
        let grafts = RPC(control: .init(graft: Array(repeating: .init(topic: "t"), count: 4))).encoded()
        #expect(throws: RPCDecodingError.self) { try RPC(decoding: grafts, limits: limits) }
        let ids = RPC(control: .init(iwant: [.init(messageIDs: Array(repeating: [1], count: 5))])).encoded()
        #expect(throws: RPCDecodingError.self) { try RPC(decoding: ids, limits: limits) }
        let long = RPC(control: .init(idontwant: [.init(messageIDs: [[UInt8](repeating: 1, count: 33)])])).encoded()
        do {
            _ = try RPC(decoding: long, limits: limits)
            Issue.record("a 33-byte id passed a 32-byte limit")
        } catch {
            #expect(error.code == .limitExceeded)
        }
    }

    @Test("random garbage never traps the decoder")
    func garbage() {
        var random = SeededGenerator(seed: 42)
        var decoded = 0
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...64, using: &random)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            // Mutated valid frames reach deeper than pure noise.
            if Bool.random(using: &random) {
                bytes = Array(Vectors.ihave.dropFirst())
                for _ in 0..<3 {
                    bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
            }
            if (try? RPC(decoding: bytes)) != nil { decoded += 1 }
        }
        #expect(decoded > 0)
    }
}
