/// How a ``Libp2pHost`` behaves: what it tells peers, how long it waits, how much it accepts.
package struct HostConfiguration: Sendable {
    /// identify's `agentVersion`, e.g. `wakusync/0.1.0`.
    package var agentVersion: String
    /// identify's `protocolVersion` (nim-libp2p's default).
    package var protocolVersion = "ipfs/0.1.0"
    /// The protocols identify advertises; nil advertises exactly the registered handlers.
    package var identifyProtocols: [String]?
    /// Registered protocols identify leaves out when it advertises the registered handlers
    /// (nwaku serves the meshsub ids but announces only Waku Relay's).
    package var unannouncedProtocols: Set<String> = []
    /// The muxers we speak, preferred first: proposed in this order when dialling, and the only
    /// ones accepted when listening.
    package var muxers: [Muxer] = [.yamux, .mplex]
    /// The whole upgrade (multistream, Noise, muxer) of one connection (nwaku allows 30 s).
    package var upgradeTimeout: Duration = .seconds(30)
    /// Negotiating the protocol of one stream.
    package var negotiationTimeout: Duration = .seconds(10)
    /// Default wait of one stream read when the caller gives none.
    package var readTimeout: Duration = .seconds(30)
    /// How long a write may wait for the peer's flow-control window before the stream is reset.
    package var writeTimeout: Duration = .seconds(30)
    /// Inbound connections of unprotected peers open at once. When all are taken, a newcomer
    /// evicts the connection idle longest (see ``evictableIdleTime``) or is refused.
    package var maximumInboundConnections = 256
    /// Inbound connections from one IPv4 address or IPv6 /64, counted apart from protected peers;
    /// handshakes in progress from one address are limited to the same number. Eight lets several
    /// honest nodes share a host or a NAT (the demo runs five on 127.0.0.1) while one address
    /// holds at most 1/32 of the default slots.
    package var maximumInboundConnectionsPerAddress = 8
    /// Whether loopback addresses (127.0.0.0/8, ::1) are held to
    /// ``maximumInboundConnectionsPerAddress`` too. Off: peers on this machine are outside the
    /// threat model, and the demo runs up to 32 nodes on 127.0.0.1. Tests turn it on to use
    /// 127.0.0.2, 127.0.0.3, … as distinct addresses.
    package var countsLoopbackPerAddress = false
    /// Inbound slots beyond ``maximumInboundConnections`` that only ``protectedPeers`` take, so
    /// they get in when the general slots are full. Checked after the Noise handshake (which
    /// names the peer); a connection is refused at once only when every slot is taken.
    package var protectedInboundConnections = 16
    /// Peers (static peers, operators' own nodes) that may connect when the general inbound slots
    /// are full; ``Libp2pHost/protect(_:)`` adds more while running.
    package var protectedPeers: Set<PeerID> = []
    /// How long an inbound connection must have had no stream before a newcomer may take its slot.
    package var evictableIdleTime: Duration = .seconds(30)
    /// An inbound connection without any stream for this long is closed (nil: never).
    package var inboundIdleTimeout: Duration? = .seconds(600)
    /// Bytes a connection's streams may hold unread, together. Data that would take a connection
    /// past it resets the stream it is for (yamux alone would allow 256 streams × 256 KiB).
    package var maximumUnreadBytesPerConnection = 8 << 20
    /// Streams open at once on one connection (nim-libp2p: 256); more are refused with a reset.
    package var maximumStreamsPerConnection = 256
    /// Our yamux receive window per stream (at least the spec's 262144, which is also the default).
    package var yamuxReceiveWindow = 262_144
    /// Largest length-prefixed message ``Libp2pStream/readMessage(maxSize:timeout:)`` accepts by default.
    package var maximumMessageSize = 4 << 20
    /// Per-protocol overrides of ``maximumMessageSize``.
    package var maximumMessageSizes: [String: Int] = [:]

    /// A configuration with defaults and the given agent version.
    package init(agentVersion: String) {
        self.agentVersion = agentVersion
    }

    /// The message size limit of `protocolID`.
    package func maximumMessageSize(for protocolID: String) -> Int {
        self.maximumMessageSizes[protocolID] ?? self.maximumMessageSize
    }
}

/// Something that happened to the host's peers. Delivered on ``Libp2pHost/events`` (bounded, newest kept).
package enum HostEvent: Sendable {
    /// The first connection to a peer is up (secured and muxed).
    case connected(PeerID, address: Multiaddr?, direction: ConnectionDirection)
    /// A peer answered identify.
    case identified(PeerID, IdentifyInfo)
    /// Identifying a peer failed (it stays connected).
    case identifyFailed(PeerID, Libp2pError)
    /// The last connection to a peer ended; `reason` says why.
    case disconnected(PeerID, reason: Libp2pError)
}
