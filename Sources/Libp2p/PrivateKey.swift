internal import Crypto

#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif

/// Our node's identity key: secp256k1 (nwaku's default and ours) or Ed25519.
package struct PrivateKey: Sendable {
    private enum Storage: Sendable {
        case ed25519(Curve25519.Signing.PrivateKey)
        case secp256k1([UInt8])
    }

    private let storage: Storage
    /// The matching public key.
    package let publicKey: PublicKey

    /// A new random key.
    package static func generate(_ type: KeyType = .secp256k1) throws(Libp2pError) -> PrivateKey {
        switch type {
        case .ed25519:
            return try PrivateKey(type: .ed25519, bytes: Array(Curve25519.Signing.PrivateKey().rawRepresentation))
        case .secp256k1:
            var generator = SystemRandomNumberGenerator()
            while true {
                let secret = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
                // Almost every 32-byte string is a valid secret; retry the astronomically rare others.
                if let key = try? PrivateKey(type: .secp256k1, bytes: secret) { return key }
            }
        case .rsa, .ecdsa:
            throw Libp2pError(.invalidKey, "\(type) keys cannot be generated; use secp256k1 or ed25519")
        }
    }

    /// A key from its raw secret: a 32-byte secp256k1 scalar, or an Ed25519 seed (32 bytes) or libp2p's
    /// 64-byte seed‖public form.
    ///
    /// - Throws: ``Libp2pError/Code/invalidKey`` for a wrong length, a scalar out of range, or an
    ///   Ed25519 public half that does not match the seed.
    package init(type: KeyType, bytes: [UInt8]) throws(Libp2pError) {
        switch type {
        case .ed25519:
            guard bytes.count == 32 || bytes.count == 64,
                let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: bytes.prefix(32))
            else {
                throw Libp2pError(.invalidKey, "an Ed25519 private key is 32 or 64 bytes, got \(bytes.count)")
            }
            let publicBytes = Array(key.publicKey.rawRepresentation)
            if bytes.count == 64 && Array(bytes.suffix(32)) != publicBytes {
                throw Libp2pError(.invalidKey, "the Ed25519 private key's public half does not match its seed")
            }
            self.storage = .ed25519(key)
            self.publicKey = try PublicKey(type: .ed25519, bytes: publicBytes)
        case .secp256k1:
            guard let publicBytes = Secp256k1.publicKey(secret: bytes) else {
                throw Libp2pError(.invalidKey, "not a secp256k1 secret key (need 32 bytes in the curve's range)")
            }
            self.storage = .secp256k1(bytes)
            self.publicKey = try PublicKey(type: .secp256k1, bytes: publicBytes)
        case .rsa, .ecdsa:
            throw Libp2pError(.invalidKey, "\(type) private keys are not supported")
        }
    }

    /// Decodes libp2p's `PrivateKey` protobuf (`1: KeyType`, `2: bytes`).
    package init(protobuf: [UInt8]) throws(Libp2pError) {
        let (keyType, data) = try KeyType.decode(protobuf, what: "private key")
        try self.init(type: keyType, bytes: data)
    }

    /// libp2p's `PrivateKey` protobuf; Ed25519 keys use the 64-byte seed‖public form like go-libp2p.
    package var protobuf: [UInt8] {
        var writer = ProtobufWriter()
        writer.writeVarint(field: 1, self.publicKey.type.rawValue)
        switch self.storage {
        case .ed25519(let key):
            writer.writeBytes(field: 2, Array(key.rawRepresentation) + self.publicKey.bytes)
        case .secp256k1(let secret):
            writer.writeBytes(field: 2, secret)
        }
        return writer.bytes
    }

    /// The peer ID of this key.
    package var peerID: PeerID { PeerID(publicKey: self.publicKey) }

    /// This key's signature over `message`: plain Ed25519, or DER ECDSA over SHA-256 for secp256k1.
    package func sign(_ message: [UInt8]) throws(Libp2pError) -> [UInt8] {
        switch self.storage {
        case .ed25519(let key):
            guard let signature = try? key.signature(for: message) else {
                throw Libp2pError(.invalidKey, "Ed25519 signing failed")
            }
            return Array(signature)
        case .secp256k1(let secret):
            guard let signature = Secp256k1.sign(message, secret: secret) else {
                throw Libp2pError(.invalidKey, "secp256k1 signing failed")
            }
            return signature
        }
    }
}
