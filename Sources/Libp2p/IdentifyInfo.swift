/// What a peer says about itself in identify (`/ipfs/id/1.0.0`, PROTOCOLS.md §7.6).
package struct IdentifyInfo: Sendable, Equatable {
    /// Protocol ID of identify.
    package static let protocolID = "/ipfs/id/1.0.0"
    /// nim-libp2p reads at most 64 KiB.
    package static let maximumSize = 64 * 1024

    /// The peer's identity key (required: it must match the connection's peer ID).
    package var publicKey: PublicKey?
    /// The addresses it listens on (ones we cannot parse, e.g. `/ws`, are skipped).
    package var listenAddresses: [Multiaddr]
    /// The protocols it serves.
    package var protocols: [String]
    /// Our address as it sees it.
    package var observedAddress: Multiaddr?
    /// e.g. `ipfs/0.1.0`.
    package var protocolVersion: String?
    /// e.g. `nwaku/v0.36.0`.
    package var agentVersion: String?

    /// An identify record.
    package init(
        publicKey: PublicKey?,
        listenAddresses: [Multiaddr],
        protocols: [String],
        observedAddress: Multiaddr?,
        protocolVersion: String?,
        agentVersion: String?
    ) {
        self.publicKey = publicKey
        self.listenAddresses = listenAddresses
        self.protocols = protocols
        self.observedAddress = observedAddress
        self.protocolVersion = protocolVersion
        self.agentVersion = agentVersion
    }

    /// Decodes an `Identify` protobuf.
    ///
    /// - Throws: ``Libp2pError`` `malformedFrame` for broken protobuf, `invalidKey` for an unusable key.
    package init(decoding bytes: [UInt8]) throws(Libp2pError) {
        var reader = ProtobufReader(bytes, what: "identify message")
        self.init(
            publicKey: nil,
            listenAddresses: [],
            protocols: [],
            observedAddress: nil,
            protocolVersion: nil,
            agentVersion: nil
        )
        while let (field, value) = try reader.next() {
            switch field {
            case 1: self.publicKey = try PublicKey(protobuf: try value.bytes("publicKey"))
            case 2:
                if let address = try? Multiaddr(bytes: try value.bytes("listenAddrs")) {
                    self.listenAddresses.append(address)
                }
            case 3: self.protocols.append(try value.string("protocols"))
            case 4: self.observedAddress = try? Multiaddr(bytes: try value.bytes("observedAddr"))
            case 5: self.protocolVersion = try value.string("protocolVersion")
            case 6: self.agentVersion = try value.string("agentVersion")
            default: continue
            }
        }
    }

    /// The `Identify` protobuf (fields in ascending order, absent ones omitted).
    package var encoded: [UInt8] {
        var writer = ProtobufWriter()
        if let publicKey { writer.writeBytes(field: 1, publicKey.protobuf) }
        for address in self.listenAddresses { writer.writeBytes(field: 2, address.bytes) }
        for name in self.protocols { writer.writeString(field: 3, name) }
        if let observedAddress { writer.writeBytes(field: 4, observedAddress.bytes) }
        if let protocolVersion { writer.writeString(field: 5, protocolVersion) }
        if let agentVersion { writer.writeString(field: 6, agentVersion) }
        return writer.bytes
    }
}
