internal import Crypto

#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif

/// The key types of libp2p's `KeyType` enum (PROTOCOLS.md §7.9).
package enum KeyType: UInt64, Sendable, CustomStringConvertible {
    case rsa = 0
    case ed25519 = 1
    case secp256k1 = 2
    case ecdsa = 3

    /// The lowercase name used in logs and on the command line.
    package var description: String {
        switch self {
        case .rsa: "rsa"
        case .ed25519: "ed25519"
        case .secp256k1: "secp256k1"
        case .ecdsa: "ecdsa"
        }
    }
}

/// A peer's public identity key: what a peer ID is derived from and what signs its Noise static key.
///
/// Ed25519 (raw 32 bytes), secp256k1 (compressed 33 bytes) and ECDSA P-256 (DER SubjectPublicKeyInfo)
/// are supported, so every signature can be verified; RSA keys are refused.
package struct PublicKey: Hashable, Sendable, CustomStringConvertible {
    /// The key's algorithm.
    package let type: KeyType
    /// The key bytes as they appear in the `PublicKey` protobuf.
    package let bytes: [UInt8]

    /// A key from its type and protobuf key bytes, validated.
    ///
    /// - Throws: ``Libp2pError/Code/invalidKey`` for a wrong length, a point not on the curve, or RSA.
    package init(type: KeyType, bytes: [UInt8]) throws(Libp2pError) {
        switch type {
        case .ed25519:
            guard bytes.count == 32, (try? Curve25519.Signing.PublicKey(rawRepresentation: bytes)) != nil else {
                throw Libp2pError(.invalidKey, "an Ed25519 public key is 32 bytes, got \(bytes.count)")
            }
            self.bytes = bytes
        case .secp256k1:
            // Other implementations may send the 65-byte uncompressed form; peer IDs use the compressed one.
            guard bytes.count == 33 || bytes.count == 65, let compressed = Secp256k1.compressed(publicKey: bytes)
            else {
                throw Libp2pError(.invalidKey, "not a secp256k1 public key (\(bytes.count) bytes)")
            }
            self.bytes = compressed
        case .ecdsa:
            guard (try? P256.Signing.PublicKey(derRepresentation: bytes)) != nil else {
                throw Libp2pError(.invalidKey, "not a DER-encoded ECDSA P-256 public key")
            }
            self.bytes = bytes
        case .rsa:
            throw Libp2pError(.invalidKey, "RSA identity keys are not supported")
        }
        self.type = type
    }

    /// Decodes the libp2p `PublicKey` protobuf (`1: KeyType`, `2: bytes`).
    package init(protobuf: [UInt8]) throws(Libp2pError) {
        let (keyType, data) = try KeyType.decode(protobuf, what: "public key")
        try self.init(type: keyType, bytes: data)
    }

    /// The deterministic `PublicKey` protobuf: `08 <type> 12 <len> <bytes>`.
    package var protobuf: [UInt8] {
        var writer = ProtobufWriter()
        writer.writeVarint(field: 1, self.type.rawValue)
        writer.writeBytes(field: 2, self.bytes)
        return writer.bytes
    }

    /// Whether `signature` is this key's signature over `message`, by the rules of its type.
    package func verify(signature: [UInt8], for message: [UInt8]) -> Bool {
        switch self.type {
        case .ed25519:
            guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: self.bytes) else { return false }
            return key.isValidSignature(signature, for: message)
        case .secp256k1:
            return Secp256k1.verify(signature: signature, message: message, publicKey: self.bytes)
        case .ecdsa:
            guard let key = try? P256.Signing.PublicKey(derRepresentation: self.bytes),
                let parsed = try? P256.Signing.ECDSASignature(derRepresentation: signature)
            else { return false }
            return key.isValidSignature(parsed, for: message)
        case .rsa:
            return false
        }
    }

    /// `type:hex`, for logs.
    package var description: String {
        "\(self.type):" + self.bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }
}

extension String {
    /// The string with `0` in front up to `width` characters.
    func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - self.count)) + self
    }
}

extension KeyType {
    /// The type and key bytes of libp2p's `PublicKey` / `PrivateKey` protobuf (`1: KeyType`,
    /// `2: bytes`), which both key kinds share.
    static func decode(_ protobuf: [UInt8], what: String) throws(Libp2pError) -> (KeyType, [UInt8]) {
        var reader = ProtobufReader(protobuf, what: "\(what) protobuf")
        var type: UInt64?
        var data: [UInt8]?
        while let (field, value) = try reader.next() {
            switch field {
            case 1: type = try value.varint("key type")
            case 2: data = try value.bytes("key data")
            default: continue
            }
        }
        guard let type, let data else {
            throw Libp2pError(.invalidKey, "\(what) protobuf lacks the key type or the key data")
        }
        guard let keyType = KeyType(rawValue: type) else {
            throw Libp2pError(.invalidKey, "unknown key type \(type)")
        }
        return (keyType, data)
    }
}
