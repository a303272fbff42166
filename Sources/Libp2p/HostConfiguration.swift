/// How a ``Libp2pHost`` behaves: what it tells peers, how long it waits, how much it accepts.
package struct HostConfiguration: Sendable {
    /// identify's `agentVersion`, e.g. `wakusync/0.1.0`.
    package var agentVersion: String
    /// identify's `protocolVersion` (nim-libp2p's default).
    package var protocolVersion = "ipfs/0.1.0"
    /// The protocols identify advertises; nil advertises exactly the registered handlers.
    package var identifyProtocols: [String]?
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
    /// Inbound connections open at once; more are refused as soon as they are accepted.
    package var maximumInboundConnections = 256
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
