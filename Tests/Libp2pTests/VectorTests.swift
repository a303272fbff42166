import Crypto
import Foundation
import NIOCore
import Testing

@testable import Libp2p

@Suite("libp2p.json vectors")
struct VectorTests {
    @Test("peer IDs derive from the spec keys, in text and multihash form")
    func peerIDs() throws {
        for vector in try LibP2PVectors.list("peer_ids") {
            let type = vector["key_type"] as! String
            let key: PrivateKey =
                type == "secp256k1"
                ? try PrivateKey(type: .secp256k1, bytes: Hex.bytes(vector["private_key_hex"] as! String))
                : try PrivateKey(type: .ed25519, bytes: Hex.bytes(vector["private_seed_hex"] as! String))
            #expect(Hex.string(key.publicKey.bytes) == vector["public_key_hex"] as! String)
            #expect(Hex.string(key.publicKey.protobuf) == vector["public_key_protobuf_hex"] as! String)
            let peer = key.peerID
            #expect(Hex.string(peer.multihash) == vector["peer_id_multihash_hex"] as! String)
            #expect(peer.description == vector["peer_id_text"] as! String)
            let parsed = try PeerID(parsing: vector["peer_id_text"] as! String)
            #expect(parsed == peer)
            #expect(parsed.publicKey == key.publicKey)
            #expect(try PublicKey(protobuf: Hex.bytes(vector["public_key_protobuf_hex"] as! String)) == key.publicKey)
        }
    }

    @Test("multiaddrs convert between text and binary both ways")
    func multiaddrs() throws {
        for vector in try LibP2PVectors.list("multiaddrs") {
            let text = vector["text"] as! String
            let binary = vector["binary_hex"] as! String
            let parsed = try Multiaddr(parsing: text)
            #expect(Hex.string(parsed.bytes) == binary)
            #expect(parsed.description == text)
            let decoded = try Multiaddr(bytes: Hex.bytes(binary))
            #expect(decoded == parsed)
            #expect(decoded.description == text)
        }
    }

    @Test("multistream frames are length-prefixed text with a newline")
    func multistreamFrames() throws {
        for vector in try LibP2PVectors.list("multistream") {
            let text = (vector["text"] as! String).replacingOccurrences(of: "\\n", with: "")
            var buffer = ByteBuffer()
            Multistream.write(text, to: &buffer)
            #expect(Hex.string(buffer.readableBytesView) == vector["frame_hex"] as! String)
            var frame = ByteBuffer(hex: vector["frame_hex"] as! String)
            let payload = try #require(try LengthPrefixedFrameDecoder.readMessage(from: &frame, maximumLength: 1024))
            #expect(try Multistream.text(of: payload) == text)
        }
    }

    @Test("the Noise XX handshake reproduces every frame, in both roles, and the transport frames")
    func noiseHandshake() throws {
        let noise = try #require(try LibP2PVectors.load()["noise_xx"] as? [String: Any])
        let initiatorKeys = noise["initiator"] as! [String: Any]
        let responderKeys = noise["responder"] as! [String: Any]
        let messages = noise["messages"] as! [[String: Any]]
        func x25519(_ side: [String: Any], _ name: String) throws -> Curve25519.KeyAgreement.PrivateKey {
            try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: Hex.bytes(side[name] as! String))
        }
        var initiator = NoiseHandshake(
            role: .initiator,
            staticKey: try x25519(initiatorKeys, "static_private_hex"),
            ephemeralKey: try x25519(initiatorKeys, "ephemeral_private_hex"),
            payload: Hex.bytes(initiatorKeys["handshake_payload_hex"] as! String)
        )
        var responder = NoiseHandshake(
            role: .responder,
            staticKey: try x25519(responderKeys, "static_private_hex"),
            ephemeralKey: try x25519(responderKeys, "ephemeral_private_hex"),
            payload: Hex.bytes(responderKeys["handshake_payload_hex"] as! String)
        )
        #expect(Hex.string(initiator.handshakeHash) == noise["h_initial_hex"] as! String)

        let message1 = try initiator.writeMessage()
        #expect(Hex.string(message1) == messages[0]["noise_message_hex"] as! String)
        #expect(try responder.readMessage(message1).isEmpty)
        let message2 = try responder.writeMessage()
        #expect(Hex.string(message2) == messages[1]["noise_message_hex"] as! String)
        let responderPayload = try initiator.readMessage(message2)
        #expect(Hex.string(responderPayload) == messages[1]["plaintext_payload_hex"] as! String)
        let message3 = try initiator.writeMessage()
        #expect(Hex.string(message3) == messages[2]["noise_message_hex"] as! String)
        let initiatorPayload = try responder.readMessage(message3)
        #expect(Hex.string(initiatorPayload) == messages[2]["plaintext_payload_hex"] as! String)
        #expect(Hex.string(initiator.handshakeHash) == noise["handshake_hash_hex"] as! String)
        #expect(Hex.string(responder.handshakeHash) == noise["handshake_hash_hex"] as! String)

        // Both identity signatures verify, and name the vector's peers.
        let responderPeer = try NoisePayload(decoding: responderPayload).verify(
            staticKey: try #require(initiator.remoteStatic)
        )
        let initiatorPeer = try NoisePayload(decoding: initiatorPayload).verify(
            staticKey: try #require(responder.remoteStatic)
        )
        let peers = try LibP2PVectors.list("peer_ids")
        #expect(responderPeer.description == peers[0]["peer_id_text"] as! String)
        #expect(initiatorPeer.description == peers[1]["peer_id_text"] as! String)

        // Transport: responder → initiator and initiator → responder, nonce 0.
        var (initiatorSend, initiatorReceive) = initiator.split()
        var (responderSend, responderReceive) = responder.split()
        let plaintext = Hex.bytes(messages[3]["plaintext_hex"] as! String)
        let fromResponder = try responderSend.encrypt(plaintext, ad: [])
        #expect(Hex.string(fromResponder) == messages[3]["noise_message_hex"] as! String)
        #expect(try initiatorReceive.decrypt(fromResponder, ad: []) == plaintext)
        let fromInitiator = try initiatorSend.encrypt(plaintext, ad: [])
        #expect(Hex.string(fromInitiator) == messages[4]["noise_message_hex"] as! String)
        #expect(try responderReceive.decrypt(fromInitiator, ad: []) == plaintext)
        let wire = "0032" + Hex.string(fromInitiator)
        #expect(wire == messages[4]["wire_frame_hex"] as! String)
    }

    @Test("our identity payloads match the vector: Ed25519 byte for byte, secp256k1 verified")
    func handshakePayloads() throws {
        let noise = try #require(try LibP2PVectors.load()["noise_xx"] as? [String: Any])
        let peers = try LibP2PVectors.list("peer_ids")
        let initiator = noise["initiator"] as! [String: Any]
        let responder = noise["responder"] as! [String: Any]
        let ed25519 = try PrivateKey(type: .ed25519, bytes: Hex.bytes(peers[1]["private_seed_hex"] as! String))
        let ours = try NoisePayload(signing: Hex.bytes(initiator["static_public_hex"] as! String), with: ed25519)
        #expect(Hex.string(ours.encoded) == initiator["handshake_payload_hex"] as! String)
        #expect(
            Hex.string(NoisePayload.signedData(staticKey: Hex.bytes(initiator["static_public_hex"] as! String)))
                == initiator["signed_data_hex"] as! String
        )

        let secp = try PrivateKey(type: .secp256k1, bytes: Hex.bytes(peers[0]["private_key_hex"] as! String))
        let staticKey = Hex.bytes(responder["static_public_hex"] as! String)
        let signed = try NoisePayload(signing: staticKey, with: secp)
        #expect(try signed.verify(staticKey: staticKey) == secp.peerID)
        let vectorSignature = Hex.bytes(responder["identity_sig_der_hex"] as! String)
        #expect(secp.publicKey.verify(signature: vectorSignature, for: NoisePayload.signedData(staticKey: staticKey)))
        #expect(
            !secp.publicKey.verify(
                signature: vectorSignature,
                for: NoisePayload.signedData(staticKey: Array(staticKey.reversed()))
            )
        )
    }
}
