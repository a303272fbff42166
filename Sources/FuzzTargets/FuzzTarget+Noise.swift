internal import Crypto
internal import Libp2p
internal import WakuCore

extension FuzzTarget {
    /// `noise-handshake`: the Noise XX handshake (PROTOCOLS.md §7.3) with the fixed keys of the
    /// `noise_xx` vector. Byte 0 picks what the rest is:
    ///
    /// - 0: message 1 as the responder reads it (the ephemeral key and a plaintext payload);
    /// - 1: message 2 as the initiator reads it after sending its message 1 (the vector's message
    ///   2 passes; changed bytes fail authentication, short ones and bad keys fail before);
    /// - 2: the responder's handshake payload, sent in a genuine message 2, which the initiator
    ///   must decrypt unchanged and then decodes and verifies as `NoiseHandler` does;
    /// - 3: the same for the initiator's payload in message 3.
    static func noiseHandshake(_ input: [UInt8]) {
        guard let (mode, body) = input.splitFirst else { return }
        switch mode % 4 {
        case 0: Self.readFirstMessage(body)
        case 1: Self.readSecondMessage(body)
        case 2: Self.handshake(responderPayload: body, initiatorPayload: NoiseFixture.initiator.payload)
        default: Self.handshake(responderPayload: NoiseFixture.responder.payload, initiatorPayload: body)
        }
    }

    /// `noise-payload`: the handshake payload protobuf (identity key and signature) and the check
    /// of its signature over either vector static key.
    static func noisePayload(_ input: [UInt8]) {
        guard let payload = try? NoisePayload(decoding: input) else { return }
        invariant((try? NoisePayload(decoding: payload.encoded)) == payload, "payload changes when re-encoded")
        for side in [NoiseFixture.initiator, NoiseFixture.responder] {
            guard let peer = try? payload.verify(staticKey: side.staticPublic) else { continue }
            invariant(peer == PeerID(publicKey: payload.identityKey), "verification names another peer")
        }
    }

    // MARK: - Private

    private static func readFirstMessage(_ message: [UInt8]) {
        var responder = NoiseFixture.responder.handshake(.responder)
        guard let payload = try? responder.readMessage(message) else { return }
        invariant(payload[...] == message.dropFirst(32), "message 1's payload is not its plaintext tail")
        // A low-order ephemeral key makes the key agreement fail: an error, not a finding.
        guard let second = try? responder.writeMessage() else { return }
        let expected = 32 + 32 + 2 * NoiseCipherState.tagLength + NoiseFixture.responder.payload.count
        invariant(second.count == expected, "message 2 has \(second.count) bytes, not \(expected)")
    }

    private static func readSecondMessage(_ message: [UInt8]) {
        var initiator = NoiseFixture.initiator.handshake(.initiator)
        guard (try? initiator.writeMessage()) != nil else {
            invariant(false, "the initiator cannot write message 1")
            return
        }
        guard let payload = try? initiator.readMessage(message) else { return }
        guard let remoteStatic = initiator.remoteStatic else {
            invariant(false, "message 2 was read without a static key")
            return
        }
        invariant(remoteStatic.count == 32, "a static key of \(remoteStatic.count) bytes")
        guard let decoded = try? NoisePayload(decoding: payload), (try? decoded.verify(staticKey: remoteStatic)) != nil
        else { return }
        invariant((try? initiator.writeMessage()) != nil && initiator.isComplete, "the initiator cannot finish")
        _ = initiator.split()
    }

    /// A whole handshake between two sides of ours with arbitrary payloads: every step must
    /// succeed and deliver the payloads unchanged. Then the payloads are checked as a peer's.
    private static func handshake(responderPayload: [UInt8], initiatorPayload: [UInt8]) {
        var initiator = NoiseFixture.initiator.handshake(.initiator, payload: initiatorPayload)
        var responder = NoiseFixture.responder.handshake(.responder, payload: responderPayload)
        do throws(Libp2pError) {
            let first = try responder.readMessage(try initiator.writeMessage())
            invariant(first.isEmpty, "message 1 carried a payload")
            let second = try initiator.readMessage(try responder.writeMessage())
            invariant(second == responderPayload, "message 2 changed the responder's payload")
            let third = try responder.readMessage(try initiator.writeMessage())
            invariant(third == initiatorPayload, "message 3 changed the initiator's payload")
            invariant(initiator.isComplete && responder.isComplete, "a side did not complete")
            invariant(initiator.handshakeHash == responder.handshakeHash, "the handshake hashes differ")
            var send = initiator.split().send
            var receive = responder.split().receive
            let sample = Array(responderPayload.prefix(64))
            let opened = try receive.decrypt(try send.encrypt(sample, ad: []), ad: [])
            invariant(opened == sample, "the transport keys do not match")
        } catch {
            invariant(false, "a handshake between two sides of ours failed: \(error)")
        }
        for (payload, side) in [(responderPayload, NoiseFixture.responder), (initiatorPayload, NoiseFixture.initiator)]
        {
            if let decoded = try? NoisePayload(decoding: payload) {
                _ = try? decoded.verify(staticKey: side.staticPublic)
            }
        }
    }
}

/// The keys and payloads of the `noise_xx` vector in `Tests/Vectors/libp2p.json`: an Ed25519
/// initiator and a secp256k1 responder, as nwaku runs them.
enum NoiseFixture {
    /// One side's Noise keys and handshake payload.
    struct Side: Sendable {
        let staticKey: Curve25519.KeyAgreement.PrivateKey
        let ephemeralKey: Curve25519.KeyAgreement.PrivateKey
        let payload: [UInt8]

        var staticPublic: [UInt8] { Array(self.staticKey.publicKey.rawRepresentation) }

        /// A handshake for `role` with these keys, sending `payload` (the vector's by default).
        func handshake(_ role: NoiseHandshake.Role, payload: [UInt8]? = nil) -> NoiseHandshake {
            NoiseHandshake(
                role: role,
                staticKey: self.staticKey,
                ephemeralKey: self.ephemeralKey,
                payload: payload ?? self.payload
            )
        }
    }

    static let initiator = Side(
        staticKey: key("e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1"),
        ephemeralKey: key("893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a"),
        payload: bytes(
            "0a24080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e1240e292a4b36dcd264cb7"
                + "933551567462bf4b6bdc79bcc37af23ea723110cf8cfde08000f9e95441ba4fd4b82844305554004fc4be681ce33c277"
                + "510b6332588c09"
        )
    )

    static let responder = Side(
        staticKey: key("4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893"),
        ephemeralKey: key("bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b"),
        payload: bytes(
            "0a2508021221037777e994e452c21604f91de093ce415f5432f701dd8cd1a7a6fea0e630bfca9912473045022100ffc20f"
                + "2e34e85f2a7691b178cb57f6fcb4e32fe921d3378cb7446779bd76f10302202f67ecb5af4d71e93aa98e900452ce2358"
                + "b2fbc1c39c8672b75e51fd159edfff"
        )
    )

    /// The vector's initiator-to-responder transport key: its transport frame opens with nonce 0.
    static let transportKey = bytes("3062fff068d0abd171b4b4603c5b7633bf5ee4e79da311370c2eba7f1ed6c69a")

    private static func bytes(_ hex: String) -> [UInt8] {
        // Constants copied from the vector file: valid hex by construction.
        try! Hex.decode(hex)
    }

    private static func key(_ hex: String) -> Curve25519.KeyAgreement.PrivateKey {
        // Any 32 bytes are an X25519 private key.
        try! Curve25519.KeyAgreement.PrivateKey(rawRepresentation: bytes(hex))
    }
}
