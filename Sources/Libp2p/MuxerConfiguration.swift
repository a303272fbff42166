internal import NIOCore

/// Limits and sizes shared by the yamux and mplex sessions of one host.
struct MuxerConfiguration: Sendable {
    /// Most streams open at once on one connection, both directions together (nim-libp2p: 256).
    var maximumStreams: Int
    /// Our yamux receive window per stream; at least the spec's 262144.
    var receiveWindow: Int
    /// How long a write may wait for the peer's window or a congested socket before the stream is reset.
    var writeTimeout: TimeAmount
    /// mplex: stop reading the connection while one stream holds more than this many unread bytes.
    var mplexBufferLimit: Int
    /// Bytes all streams of the connection may hold unread; data past it resets its stream.
    var maximumUnreadBytes: Int
    /// Close the connection after this long without streams (inbound connections; nil: never).
    var idleTimeout: TimeAmount?

    /// Why a stream was reset for the connection's unread-bytes cap.
    var unreadCapReached: Libp2pError {
        Libp2pError(
            .limitReached,
            "the connection's streams hold \(self.maximumUnreadBytes) unread bytes: stream reset"
        )
    }

    /// The spec's initial yamux window, which peers following the spec (py-libp2p, go-libp2p) assume.
    static let specWindow = 262_144
    /// The window nim-libp2p assumes for us and grants us; our sends never exceed it (§8 row 23).
    static let nimWindow = 256_000
    /// How often stream deadlines (reads and writes) are checked.
    static let timerInterval = TimeAmount.milliseconds(100)
    /// Bytes written between flushes, so the socket's writability is noticed during large writes.
    static let flushBatch = 256 * 1024
}

/// Events fired up a connection's pipeline while it is upgraded.
enum ConnectionEvent {
    /// The Noise handshake completed with this peer.
    case secured(SecuredPeer)
    /// The muxer is running; streams can be opened.
    case muxed(MuxerHandle)
}
