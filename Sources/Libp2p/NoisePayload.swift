/// The libp2p handshake payload carried in Noise messages 2 and 3 (PROTOCOLS.md §7.3):
/// `1: identity_key` (PublicKey protobuf), `2: identity_sig`. Extensions (field 4) are ignored,
/// like nim-libp2p does, and never sent.
package struct NoisePayload: Equatable, Sendable {
    /// The sender's identity key.
    package var identityKey: PublicKey
    /// The identity key's signature over ``signedData(staticKey:)``.
    package var signature: [UInt8]

    /// The bytes an identity key signs: `"noise-libp2p-static-key:" ‖ X25519 static public key`.
    package static func signedData(staticKey: [UInt8]) -> [UInt8] {
        Array("noise-libp2p-static-key:".utf8) + staticKey
    }

    /// Our payload: `key`'s signature over our Noise static key.
    package init(signing staticKey: [UInt8], with key: PrivateKey) throws(Libp2pError) {
        self.identityKey = key.publicKey
        self.signature = try key.sign(Self.signedData(staticKey: staticKey))
    }

    /// Decodes a received payload.
    ///
    /// - Throws: ``Libp2pError/Code/handshakeFailed`` when a field is missing or the key is unusable.
    package init(decoding bytes: [UInt8]) throws(Libp2pError) {
        var reader = ProtobufReader(bytes, what: "noise handshake payload")
        var keyBytes: [UInt8]?
        var signature: [UInt8]?
        do {
            while let (field, value) = try reader.next() {
                switch field {
                case 1: keyBytes = try value.bytes("identity_key")
                case 2: signature = try value.bytes("identity_sig")
                default: continue
                }
            }
        } catch {
            throw Libp2pError(.handshakeFailed, error.detail)
        }
        guard let keyBytes, let signature else {
            throw Libp2pError(.handshakeFailed, "noise handshake payload lacks identity_key or identity_sig")
        }
        do {
            self.identityKey = try PublicKey(protobuf: keyBytes)
        } catch {
            throw Libp2pError(.handshakeFailed, "remote identity key: \(error.detail)")
        }
        self.signature = signature
    }

    /// The protobuf encoding (fields 1 and 2).
    package var encoded: [UInt8] {
        var writer = ProtobufWriter()
        writer.writeBytes(field: 1, self.identityKey.protobuf)
        writer.writeBytes(field: 2, self.signature)
        return writer.bytes
    }

    /// Checks the signature against the remote's Noise static key and returns the remote peer ID.
    ///
    /// - Throws: ``Libp2pError/Code/invalidSignature`` when it does not verify.
    package func verify(staticKey: [UInt8]) throws(Libp2pError) -> PeerID {
        guard self.identityKey.verify(signature: self.signature, for: Self.signedData(staticKey: staticKey)) else {
            throw Libp2pError(
                .invalidSignature,
                "the \(self.identityKey.type) identity signature over the Noise static key does not verify"
            )
        }
        return PeerID(publicKey: self.identityKey)
    }
}
