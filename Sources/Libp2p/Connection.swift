internal import NIOCore
internal import Synchronization

/// Which side opened a connection.
package enum ConnectionDirection: Sendable, Equatable {
    /// We dialled it.
    case outbound
    /// The peer dialled us.
    case inbound
}

/// The stream muxers we speak, in the order a dialer proposes them by default (PROTOCOLS.md §7.4, §7.5).
package enum Muxer: String, Sendable, CaseIterable {
    /// `/yamux/1.0.0`, preferred.
    case yamux = "/yamux/1.0.0"
    /// `/mplex/6.7.0`, the fallback.
    case mplex = "/mplex/6.7.0"
}

/// A connection that finished its upgrade: secured with Noise, muxed, the peer known.
final class Connection: Sendable {
    let channel: any Channel
    let peer: SecuredPeer
    let muxer: MuxerHandle
    let muxerProtocol: Muxer
    let direction: ConnectionDirection
    /// Unread bytes and idleness, shared with the muxer.
    let usage: ConnectionUsage
    /// The peer's address as seen on the socket (`/ip4/…/tcp/…`).
    let remoteAddress: Multiaddr?
    private let reason = Mutex<Libp2pError?>(nil)

    init(
        channel: any Channel,
        peer: SecuredPeer,
        muxer: MuxerHandle,
        muxerProtocol: Muxer,
        direction: ConnectionDirection,
        usage: ConnectionUsage
    ) {
        self.channel = channel
        self.peer = peer
        self.muxer = muxer
        self.muxerProtocol = muxerProtocol
        self.direction = direction
        self.usage = usage
        self.remoteAddress = channel.remoteAddress.flatMap(Multiaddr.init(socketAddress:))
    }

    var peerID: PeerID { self.peer.peerID }

    /// Why the connection ended (nil while open, or when it ended without an error).
    var closeReason: Libp2pError? { self.reason.withLock { $0 } }

    /// Records the first reason the connection fails.
    func recordFailure(_ error: Libp2pError) {
        self.reason.withLock { if $0 == nil { $0 = error } }
    }

    /// Ends the connection gracefully (yamux Go Away), recording `reason` as why.
    func close(reason: Libp2pError = Libp2pError(.connectionClosed, "closed by us")) {
        self.recordFailure(reason)
        self.muxer.shutdown()
    }
}

extension Multiaddr {
    /// `/ip4/…/tcp/…` or `/ip6/…/tcp/…` for a socket address; nil for other kinds.
    init?(socketAddress: SocketAddress) {
        guard let text = socketAddress.ipAddress, let port = socketAddress.port, let port16 = UInt16(exactly: port)
        else { return nil }
        switch socketAddress.protocol {
        case .inet:
            guard let bytes = IPAddressText.ipv4(text) else { return nil }
            self.init([.ip4(bytes), .tcp(port16)])
        case .inet6:
            guard let bytes = IPAddressText.ipv6(text) else { return nil }
            self.init([.ip6(bytes), .tcp(port16)])
        default:
            return nil
        }
    }
}
