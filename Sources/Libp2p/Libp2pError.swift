/// A failure anywhere in the libp2p stack: bad input, a misbehaving peer, a timeout, a closed stream.
///
/// Carries a ``Code`` to switch on and a detail a person can read. Errors caused by a peer's bytes
/// never trap; they arrive here and the connection or stream they came from is closed.
package struct Libp2pError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong, coarsely.
    package enum Code: String, Equatable, Sendable {
        /// A key (ours on disk, or a peer's in a handshake or identify message) cannot be used.
        case invalidKey
        /// A peer ID's text or bytes are malformed.
        case invalidPeerID
        /// A multiaddr's text or bytes are malformed, or use a protocol we do not support.
        case invalidMultiaddr
        /// Frame or message bytes from a peer break the wire format.
        case malformedFrame
        /// A frame or message is larger than the limit for its layer.
        case frameTooLarge
        /// multistream-select failed: bad header, or the peer supports none of our proposals.
        case negotiationFailed
        /// The Noise handshake failed: bad message, undecryptable data, bad payload.
        case handshakeFailed
        /// The peer's identity signature over its Noise static key does not verify.
        case invalidSignature
        /// The peer's identity differs from the `/p2p/…` part we dialled.
        case peerIDMismatch
        /// A transport frame failed authentication.
        case decryptionFailed
        /// The peer broke the muxer protocol (stream id parity, window, unknown type).
        case protocolViolation
        /// The stream was reset (by the peer or by us).
        case streamReset
        /// Writing after `closeWrite()`, or reading after `close()`.
        case streamClosed
        /// The underlying connection is gone.
        case connectionClosed
        /// A network wait exceeded its time limit.
        case timeout
        /// A limit of ours (connections, streams) refused the operation.
        case limitReached
        /// Connecting to an address failed (refused, unreachable, unresolvable).
        case dialFailed
        /// There is no connection to that peer.
        case notConnected
        /// The host is not running or is shutting down.
        case notRunning
        /// The node key file cannot be read, written or parsed.
        case keyFile
    }

    /// What went wrong, coarsely.
    package var code: Code
    /// A sentence for people: which value, which peer, which limit.
    package var detail: String

    /// Creates an error with a code and a readable detail.
    package init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    /// `code: detail`, for logs and error lines.
    package var description: String { "\(self.code.rawValue): \(self.detail)" }
}
