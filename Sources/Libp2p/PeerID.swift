internal import Crypto

/// A libp2p peer ID: the multihash of a peer's `PublicKey` protobuf (PROTOCOLS.md §7.9).
///
/// Keys whose protobuf is at most 42 bytes (Ed25519, secp256k1) use the identity multihash, so the
/// public key can be read back from the ID; larger keys use SHA-256. The text form is base58btc;
/// CIDv1 text (`bafz…`) is accepted when parsing.
package struct PeerID: Hashable, Sendable, CustomStringConvertible, LosslessStringConvertible {
    /// The multihash bytes (what `/p2p/` carries in a binary multiaddr).
    package let multihash: [UInt8]
    /// The base58btc text form, computed once: events and logs name a peer for every message
    /// relayed, and Base58 costs a few microseconds each time.
    package let description: String

    private static let identityCode: UInt8 = 0x00
    private static let sha256Code: UInt8 = 0x12
    private static let libp2pKeyCodec: UInt64 = 0x72

    /// The ID of a public key.
    package init(publicKey: PublicKey) {
        let encoded = publicKey.protobuf
        if encoded.count <= 42 {
            self.multihash = [Self.identityCode, UInt8(encoded.count)] + encoded
        } else {
            self.multihash = [Self.sha256Code, 32] + SHA256.hash(data: encoded).withUnsafeBytes { Array($0) }
        }
        self.description = Base58.encode(self.multihash)
    }

    /// An ID rebuilt from the bytes and text of one made by another initializer (a relay router
    /// keys peers by them): neither is checked again.
    package init(validated multihash: [UInt8], description: String) {
        self.multihash = multihash
        self.description = description
    }

    /// An ID from multihash bytes, validated.
    ///
    /// - Throws: ``Libp2pError/Code/invalidPeerID`` unless the bytes are an identity multihash of a
    ///   valid `PublicKey` protobuf or a 32-byte SHA-256 multihash.
    package init(multihash bytes: [UInt8]) throws(Libp2pError) {
        var offset = 0
        let code: UInt64
        let length: UInt64
        do {
            code = try UVarint.read(bytes, at: &offset)
            length = try UVarint.read(bytes, at: &offset)
        } catch {
            throw Libp2pError(.invalidPeerID, "peer ID multihash header is truncated")
        }
        guard length == UInt64(bytes.count - offset) else {
            throw Libp2pError(
                .invalidPeerID,
                "peer ID multihash claims \(length) digest bytes, has \(bytes.count - offset)"
            )
        }
        switch code {
        case UInt64(Self.identityCode):
            guard length <= 42 else {
                throw Libp2pError(.invalidPeerID, "identity multihash longer than 42 bytes")
            }
            do {
                _ = try PublicKey(protobuf: Array(bytes[offset...]))
            } catch {
                throw Libp2pError(
                    .invalidPeerID,
                    "identity multihash does not hold a usable public key: \(error.detail)"
                )
            }
        case UInt64(Self.sha256Code):
            guard length == 32 else { throw Libp2pError(.invalidPeerID, "SHA-256 multihash must have 32 bytes") }
        default:
            throw Libp2pError(.invalidPeerID, "unsupported multihash code 0x\(String(code, radix: 16))")
        }
        self.multihash = bytes
        self.description = Base58.encode(bytes)
    }

    /// Parses base58btc text (`12D3KooW…`, `16Uiu2HA…`, `Qm…`) or CIDv1 text (`bafz…`).
    package init(parsing text: String) throws(Libp2pError) {
        // base58btc IDs of identity and SHA-256 multihashes start with `1` or `Qm`, so a leading `b`
        // can only be multibase base32, the CIDv1 form.
        if text.hasPrefix("b") {
            guard let cid = Base32.decode(String(text.dropFirst())) else {
                throw Libp2pError(.invalidPeerID, "'\(text)' is not valid base32 CID text")
            }
            var offset = 0
            guard (try? UVarint.read(cid, at: &offset)) == 1,
                (try? UVarint.read(cid, at: &offset)) == Self.libp2pKeyCodec
            else {
                throw Libp2pError(.invalidPeerID, "'\(text)' is not a CIDv1 with the libp2p-key codec")
            }
            try self.init(multihash: Array(cid[offset...]))
            return
        }
        guard !text.isEmpty, let bytes = Base58.decode(text) else {
            throw Libp2pError(.invalidPeerID, "'\(text)' is not base58btc text")
        }
        try self.init(multihash: bytes)
    }

    /// Parses text like ``init(parsing:)``, or nil when it is not a peer ID.
    package init?(_ description: String) {
        guard let parsed = try? PeerID(parsing: description) else { return nil }
        self = parsed
    }

    /// The public key inside an identity multihash (nil for SHA-256 IDs).
    package var publicKey: PublicKey? {
        guard self.multihash.first == Self.identityCode, self.multihash.count > 2 else { return nil }
        return try? PublicKey(protobuf: Array(self.multihash.dropFirst(2)))
    }

    package static func == (lhs: PeerID, rhs: PeerID) -> Bool { lhs.multihash == rhs.multihash }

    /// Hashes the bytes in one go (an array's own hashing feeds them one by one).
    package func hash(into hasher: inout Hasher) {
        self.multihash.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
