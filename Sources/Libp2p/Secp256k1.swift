internal import CSecp256k1
internal import Crypto

/// secp256k1 through Debian's libsecp256k1 (`libsecp256k1-dev`): key derivation, ECDSA over
/// SHA-256 with DER signatures, as libp2p uses for nwaku's node keys (PROTOCOLS.md §7.3, §7.9).
enum Secp256k1 {
    /// The process-wide context, created and randomized once.
    private static let context = Context()

    /// The 33-byte compressed public key of a 32-byte secret, or nil for an invalid secret.
    static func publicKey(secret: [UInt8]) -> [UInt8]? {
        guard secret.count == 32 else { return nil }
        var point = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_create(self.context.pointer, &point, secret) == 1 else { return nil }
        return self.serialize(point)
    }

    /// The compressed form of a serialized public key (33 or 65 bytes), or nil when it is not a
    /// point on the curve.
    static func compressed(publicKey bytes: [UInt8]) -> [UInt8]? {
        guard let point = self.parse(publicKey: bytes) else { return nil }
        return self.serialize(point)
    }

    /// A DER-encoded, low-S ECDSA signature over SHA-256(`message`).
    static func sign(_ message: [UInt8], secret: [UInt8]) -> [UInt8]? {
        let digest = SHA256.hash(data: message).withUnsafeBytes { Array($0) }
        var signature = secp256k1_ecdsa_signature()
        guard secp256k1_ecdsa_sign(self.context.pointer, &signature, digest, secret, nil, nil) == 1 else {
            return nil
        }
        var der = [UInt8](repeating: 0, count: 72)
        var length = der.count
        guard secp256k1_ecdsa_signature_serialize_der(self.context.pointer, &der, &length, &signature) == 1 else {
            return nil
        }
        return Array(der.prefix(length))
    }

    /// Whether `der` is a valid signature by `publicKey` over SHA-256(`message`).
    ///
    /// High-S signatures are normalized first, so a signer that does not produce low-S still verifies.
    static func verify(signature der: [UInt8], message: [UInt8], publicKey: [UInt8]) -> Bool {
        guard var point = self.parse(publicKey: publicKey) else { return false }
        var parsed = secp256k1_ecdsa_signature()
        guard secp256k1_ecdsa_signature_parse_der(self.context.pointer, &parsed, der, der.count) == 1 else {
            return false
        }
        // Normalizing in place (one variable as both input and output) is an exclusivity violation in Swift.
        var normalized = secp256k1_ecdsa_signature()
        _ = secp256k1_ecdsa_signature_normalize(self.context.pointer, &normalized, &parsed)
        let digest = SHA256.hash(data: message).withUnsafeBytes { Array($0) }
        return secp256k1_ecdsa_verify(self.context.pointer, &normalized, digest, &point) == 1
    }

    private static func parse(publicKey bytes: [UInt8]) -> secp256k1_pubkey? {
        var point = secp256k1_pubkey()
        guard !bytes.isEmpty, secp256k1_ec_pubkey_parse(self.context.pointer, &point, bytes, bytes.count) == 1 else {
            return nil
        }
        return point
    }

    private static func serialize(_ point: secp256k1_pubkey) -> [UInt8] {
        var point = point
        var output = [UInt8](repeating: 0, count: 33)
        var length = output.count
        _ = secp256k1_ec_pubkey_serialize(self.context.pointer, &output, &length, &point, csecp_ec_compressed())
        return output
    }
}

/// Owns the libsecp256k1 context.
///
/// `@unchecked Sendable` invariant: the context is created and randomized in `init`, before the
/// object is shared, and afterwards only passed as `const secp256k1_context *` to functions that
/// libsecp256k1 documents as safe to call concurrently on a const context. It is destroyed in
/// `deinit`, when no other reference exists.
private final class Context: @unchecked Sendable {
    let pointer: OpaquePointer

    init() {
        guard let pointer = secp256k1_context_create(csecp_context_none()) else {
            preconditionFailure("libsecp256k1 could not allocate a context")
        }
        var seed = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in seed.indices { seed[index] = generator.next() }
        // Randomization only hardens signing against side channels; failure leaves a usable context.
        _ = secp256k1_context_randomize(pointer, seed)
        self.pointer = pointer
    }

    deinit {
        secp256k1_context_destroy(self.pointer)
    }
}
