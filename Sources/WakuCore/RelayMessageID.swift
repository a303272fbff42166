internal import Crypto

/// The gossipsub message id Waku Relay uses (PROTOCOLS.md §10.3): the raw 32-byte SHA-256 of the
/// pubsub message's `data`, the encoded WakuMessage exactly as received. Not the message hash of
/// §1.2, and not hex.
package enum RelayMessageID {
    package static func of(_ data: [UInt8]) -> [UInt8] {
        // One allocation: `Array(digest)` grows the array a byte at a time, six allocations.
        SHA256.hash(data: data).withUnsafeBytes { Array($0) }
    }
}
