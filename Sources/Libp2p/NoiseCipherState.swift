internal import Crypto
internal import NIOCore

#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif

/// A Noise CipherState: ChaCha20-Poly1305 with a 64-bit counter nonce (PROTOCOLS.md §7.3).
///
/// The 12-byte nonce is 4 zero bytes then the counter little-endian. Each encryption or decryption
/// uses the next counter value; the connection must end before the counter reaches 2^64 − 1.
package struct NoiseCipherState: Sendable {
    private let key: SymmetricKey
    /// The counter of the next message.
    private(set) var nonce: UInt64 = 0

    /// Bytes added to every message: the Poly1305 tag.
    package static let tagLength = 16

    /// A cipher state with `key` (32 bytes) and nonce 0.
    package init(key: [UInt8]) {
        self.key = SymmetricKey(data: key)
    }

    /// Encrypts `plaintext` with associated data `ad`, returning ciphertext‖tag.
    package mutating func encrypt(_ plaintext: [UInt8], ad: [UInt8]) throws(Libp2pError) -> [UInt8] {
        let box = try self.seal(plaintext, ad: ad)
        return Array(box.ciphertext) + Array(box.tag)
    }

    /// Encrypts `plaintext` (empty associated data) and appends ciphertext‖tag to `output`.
    mutating func encrypt(_ plaintext: UnsafeRawBufferPointer, appendingTo output: inout ByteBuffer) throws(Libp2pError)
    {
        let box = try self.seal(plaintext, ad: [UInt8]())
        output.writeBytes(box.ciphertext)
        output.writeBytes(box.tag)
    }

    /// Decrypts ciphertext‖tag held in an array (handshake messages).
    package mutating func decrypt(_ message: [UInt8], ad: [UInt8]) throws(Libp2pError) -> [UInt8] {
        var result: Result<Data, Libp2pError> = .failure(Libp2pError(.decryptionFailed, "not decrypted"))
        message.withUnsafeBytes { raw in
            result = Result { () throws(Libp2pError) in try self.decrypt(raw, ad: ad) }
        }
        return Array(try result.get())
    }

    /// Decrypts ciphertext‖tag with associated data `ad`.
    ///
    /// - Throws: ``Libp2pError/Code/decryptionFailed`` when authentication fails.
    mutating func decrypt(_ message: UnsafeRawBufferPointer, ad: [UInt8]) throws(Libp2pError) -> Data {
        guard message.count >= Self.tagLength else {
            throw Libp2pError(.decryptionFailed, "message of \(message.count) bytes is shorter than the tag")
        }
        let nonce = try self.nextNonce()
        let split = message.count - Self.tagLength
        do {
            let box = try ChaChaPoly.SealedBox(
                nonce: nonce,
                ciphertext: UnsafeRawBufferPointer(rebasing: message[..<split]),
                tag: UnsafeRawBufferPointer(rebasing: message[split...])
            )
            return try ChaChaPoly.open(box, using: self.key, authenticating: ad)
        } catch {
            throw Libp2pError(.decryptionFailed, "message \(self.nonce - 1) failed authentication")
        }
    }

    private mutating func seal(
        _ plaintext: some DataProtocol,
        ad: some DataProtocol
    ) throws(Libp2pError) -> ChaChaPoly.SealedBox {
        let nonce = try self.nextNonce()
        do {
            return try ChaChaPoly.seal(plaintext, using: self.key, nonce: nonce, authenticating: ad)
        } catch {
            throw Libp2pError(.handshakeFailed, "ChaCha20-Poly1305 encryption failed: \(error)")
        }
    }

    private mutating func nextNonce() throws(Libp2pError) -> ChaChaPoly.Nonce {
        // 2^64 − 1 is reserved by the Noise spec; stop before reaching it.
        guard self.nonce < UInt64.max - 1 else {
            throw Libp2pError(.decryptionFailed, "Noise nonce exhausted; the connection must be closed")
        }
        var bytes = [UInt8](repeating: 0, count: 12)
        var counter = self.nonce.littleEndian
        withUnsafeBytes(of: &counter) { bytes.replaceSubrange(4..<12, with: $0) }
        self.nonce += 1
        do {
            return try ChaChaPoly.Nonce(data: bytes)
        } catch {
            preconditionFailure("a 12-byte nonce is always valid")
        }
    }
}
