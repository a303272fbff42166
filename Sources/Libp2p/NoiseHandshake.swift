package import Crypto

#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif

/// The Noise_XX_25519_ChaChaPoly_SHA256 handshake with an empty prologue (PROTOCOLS.md §7.3).
///
/// Pure: the caller moves the three messages and supplies the keys, so the deterministic vector in
/// `libp2p.json` can be replayed exactly. Message 1 carries an empty payload; messages 2 and 3
/// carry the responder's and the initiator's handshake payloads.
package struct NoiseHandshake: Sendable {
    /// Which side of the handshake we are.
    package enum Role: Sendable { case initiator, responder }

    private let role: Role
    private let localStatic: Curve25519.KeyAgreement.PrivateKey
    private let localEphemeral: Curve25519.KeyAgreement.PrivateKey
    private let payload: [UInt8]
    private var symmetric = SymmetricState()
    private var remoteEphemeral: Curve25519.KeyAgreement.PublicKey?
    /// The remote's static X25519 public key, once received.
    package private(set) var remoteStatic: [UInt8]?
    private var step = 0

    /// The protocol name, exactly 32 bytes, used as the initial hash.
    static let protocolName = Array("Noise_XX_25519_ChaChaPoly_SHA256".utf8)

    /// A handshake for `role`, sending `payload` in our second message.
    package init(
        role: Role,
        staticKey: Curve25519.KeyAgreement.PrivateKey,
        ephemeralKey: Curve25519.KeyAgreement.PrivateKey = .init(),
        payload: [UInt8]
    ) {
        self.role = role
        self.localStatic = staticKey
        self.localEphemeral = ephemeralKey
        self.payload = payload
        self.symmetric.mixHash([])  // the empty prologue
    }

    /// Whether it is our turn to write a message.
    package var isOurTurn: Bool { (self.step % 2 == 0) == (self.role == .initiator) && self.step < 3 }

    /// Whether all three messages have been exchanged.
    package var isComplete: Bool { self.step == 3 }

    /// The current handshake hash `h`.
    package var handshakeHash: [UInt8] { self.symmetric.h }

    /// Writes our next handshake message.
    package mutating func writeMessage() throws(Libp2pError) -> [UInt8] {
        precondition(self.isOurTurn, "Noise: writeMessage called out of turn")
        var message: [UInt8] = []
        switch self.step {
        case 0:  // -> e
            let ephemeral = Array(self.localEphemeral.publicKey.rawRepresentation)
            message += ephemeral
            self.symmetric.mixHash(ephemeral)
            message += try self.symmetric.encryptAndHash([])
        case 1:  // <- e, ee, s, es
            let ephemeral = Array(self.localEphemeral.publicKey.rawRepresentation)
            message += ephemeral
            self.symmetric.mixHash(ephemeral)
            try self.symmetric.mixKey(self.dh(self.localEphemeral, self.remoteEphemeral))
            message += try self.symmetric.encryptAndHash(Array(self.localStatic.publicKey.rawRepresentation))
            try self.symmetric.mixKey(self.dh(self.localStatic, self.remoteEphemeral))
            message += try self.symmetric.encryptAndHash(self.payload)
        default:  // -> s, se
            message += try self.symmetric.encryptAndHash(Array(self.localStatic.publicKey.rawRepresentation))
            try self.symmetric.mixKey(self.dh(self.localStatic, self.remoteEphemeral))
            message += try self.symmetric.encryptAndHash(self.payload)
        }
        self.step += 1
        return message
    }

    /// Reads the remote's next handshake message and returns its payload.
    ///
    /// - Throws: ``Libp2pError/Code/handshakeFailed`` for a short message, a bad key or failed decryption.
    package mutating func readMessage(_ message: [UInt8]) throws(Libp2pError) -> [UInt8] {
        precondition(!self.isOurTurn && !self.isComplete, "Noise: readMessage called out of turn")
        var rest = message[...]
        let payload: [UInt8]
        switch self.step {
        case 0:  // -> e
            try self.readEphemeral(&rest)
            payload = try self.decrypt(rest)
        case 1:  // <- e, ee, s, es
            try self.readEphemeral(&rest)
            try self.symmetric.mixKey(self.dh(self.localEphemeral, self.remoteEphemeral))
            try self.readStatic(&rest)
            try self.symmetric.mixKey(self.dh(self.localEphemeral, self.remoteStatic))
            payload = try self.decrypt(rest)
        default:  // -> s, se
            try self.readStatic(&rest)
            try self.symmetric.mixKey(self.dh(self.localEphemeral, self.remoteStatic))
            payload = try self.decrypt(rest)
        }
        self.step += 1
        return payload
    }

    /// The transport cipher states once complete: (send, receive) for our role.
    package func split() -> (send: NoiseCipherState, receive: NoiseCipherState) {
        precondition(self.isComplete, "Noise: split before the handshake completed")
        let (first, second) = self.symmetric.hkdf([])
        let initiatorToResponder = NoiseCipherState(key: first)
        let responderToInitiator = NoiseCipherState(key: second)
        return self.role == .initiator
            ? (initiatorToResponder, responderToInitiator) : (responderToInitiator, initiatorToResponder)
    }

    private mutating func readEphemeral(_ rest: inout ArraySlice<UInt8>) throws(Libp2pError) {
        guard rest.count >= 32 else {
            throw Libp2pError(.handshakeFailed, "handshake message too short for an ephemeral key")
        }
        let bytes = Array(rest.prefix(32))
        rest = rest.dropFirst(32)
        guard let key = try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: bytes) else {
            throw Libp2pError(.handshakeFailed, "invalid ephemeral key")
        }
        self.remoteEphemeral = key
        self.symmetric.mixHash(bytes)
    }

    private mutating func readStatic(_ rest: inout ArraySlice<UInt8>) throws(Libp2pError) {
        guard rest.count >= 32 + NoiseCipherState.tagLength else {
            throw Libp2pError(.handshakeFailed, "handshake message too short for a static key")
        }
        let encrypted = Array(rest.prefix(32 + NoiseCipherState.tagLength))
        rest = rest.dropFirst(encrypted.count)
        self.remoteStatic = try self.decrypt(encrypted[...])
    }

    private mutating func decrypt(_ bytes: ArraySlice<UInt8>) throws(Libp2pError) -> [UInt8] {
        do {
            return try self.symmetric.decryptAndHash(Array(bytes))
        } catch {
            throw Libp2pError(.handshakeFailed, "handshake message \(self.step + 1): \(error.detail)")
        }
    }

    private func dh(
        _ local: Curve25519.KeyAgreement.PrivateKey,
        _ remote: Curve25519.KeyAgreement.PublicKey?
    ) throws(Libp2pError) -> [UInt8] {
        guard let remote, let secret = try? local.sharedSecretFromKeyAgreement(with: remote) else {
            throw Libp2pError(.handshakeFailed, "X25519 key agreement failed")
        }
        return secret.withUnsafeBytes { Array($0) }
    }

    private func dh(_ local: Curve25519.KeyAgreement.PrivateKey, _ remote: [UInt8]?) throws(Libp2pError) -> [UInt8] {
        guard let remote, let key = try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: remote) else {
            throw Libp2pError(.handshakeFailed, "invalid static key")
        }
        return try self.dh(local, key)
    }
}

/// Noise's SymmetricState: chaining key, handshake hash and the handshake cipher.
private struct SymmetricState: Sendable {
    var ck: [UInt8] = NoiseHandshake.protocolName
    var h: [UInt8] = NoiseHandshake.protocolName
    var cipher: NoiseCipherState?

    mutating func mixHash(_ data: [UInt8]) {
        self.h = SHA256.hash(data: self.h + data).withUnsafeBytes { Array($0) }
    }

    mutating func mixKey(_ inputKeyMaterial: [UInt8]) throws(Libp2pError) {
        let (chainingKey, key) = self.hkdf(inputKeyMaterial)
        self.ck = chainingKey
        self.cipher = NoiseCipherState(key: key)
    }

    mutating func encryptAndHash(_ plaintext: [UInt8]) throws(Libp2pError) -> [UInt8] {
        guard var cipher = self.cipher else {
            self.mixHash(plaintext)
            return plaintext
        }
        let ciphertext = try cipher.encrypt(plaintext, ad: self.h)
        self.cipher = cipher
        self.mixHash(ciphertext)
        return ciphertext
    }

    mutating func decryptAndHash(_ ciphertext: [UInt8]) throws(Libp2pError) -> [UInt8] {
        guard var cipher = self.cipher else {
            self.mixHash(ciphertext)
            return ciphertext
        }
        let plaintext = try cipher.decrypt(ciphertext, ad: self.h)
        self.cipher = cipher
        self.mixHash(ciphertext)
        return plaintext
    }

    /// Noise's HKDF with two outputs: RFC 5869 with salt = chaining key and empty info.
    func hkdf(_ inputKeyMaterial: [UInt8]) -> ([UInt8], [UInt8]) {
        let output = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: inputKeyMaterial),
            salt: self.ck,
            info: [UInt8](),
            outputByteCount: 64
        )
        let bytes = output.withUnsafeBytes { Array($0) }
        return (Array(bytes[..<32]), Array(bytes[32...]))
    }
}
