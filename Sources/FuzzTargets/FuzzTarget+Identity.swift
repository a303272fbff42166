internal import Libp2p

// Addresses, peer IDs, keys and identify (PROTOCOLS.md §7.6, §7.9, §7.10): text and binary forms
// from peers, from the command line and from the node.key file.

extension FuzzTarget {
    /// `multiaddr-text`: a multiaddr as an operator or a command gives it.
    static func multiaddrText(_ input: [UInt8]) {
        guard let text = String(validating: input, as: UTF8.self), let address = try? Multiaddr(parsing: text) else {
            return
        }
        invariant(address.components.count <= input.count / 2, "more components than the text holds")
        invariant((try? Multiaddr(bytes: address.bytes)) == address, "the binary form decodes to another address")
        invariant((try? Multiaddr(parsing: address.description)) == address, "the printed text parses differently")
    }

    /// `multiaddr-binary`: a multiaddr as identify carries it. Accepted bytes are canonical (minimal
    /// varints), so they must be exactly what the address writes back.
    static func multiaddrBinary(_ input: [UInt8]) {
        guard let address = try? Multiaddr(bytes: input) else { return }
        invariant(address.bytes == input, "the address writes back other bytes")
        // DNS names in binary may hold '/' or exceed 255 bytes, which the text form cannot carry.
        let printable = address.components.allSatisfy { component in
            switch component {
            case .dns4(let name), .dns6(let name): !name.contains("/") && name.utf8.count <= 255
            default: true
            }
        }
        if printable {
            invariant((try? Multiaddr(parsing: address.description)) == address, "the printed text parses differently")
        }
    }

    /// `peer-id-text`: a peer ID as text (base58btc or CIDv1).
    static func peerIDText(_ input: [UInt8]) {
        guard let text = String(validating: input, as: UTF8.self), let peer = try? PeerID(parsing: text) else {
            return
        }
        Self.checkPeerID(peer)
    }

    /// `peer-id-bytes`: a peer ID multihash, as `/p2p/` carries it in a binary multiaddr.
    static func peerIDBytes(_ input: [UInt8]) {
        guard let peer = try? PeerID(multihash: input) else { return }
        invariant(peer.multihash == input, "the peer ID keeps other bytes")
        Self.checkPeerID(peer)
    }

    /// `public-key`: a libp2p `PublicKey` protobuf, as identify and the Noise payload carry it.
    static func publicKey(_ input: [UInt8]) {
        guard let key = try? PublicKey(protobuf: input) else { return }
        invariant((try? PublicKey(protobuf: key.protobuf)) == key, "the key changes when re-encoded")
        invariant((try? PublicKey(type: key.type, bytes: key.bytes)) == key, "the key's bytes do not make the key")
        let peer = PeerID(publicKey: key)
        invariant((try? PeerID(multihash: peer.multihash)) == peer, "the key's peer ID does not decode")
        if let embedded = peer.publicKey { invariant(embedded == key, "the peer ID holds another key") }
        invariant(!key.verify(signature: [], for: input), "an empty signature verified")
    }

    /// `private-key`: the node.key file, libp2p's `PrivateKey` protobuf. A key that loads must
    /// write back to the same key and sign what its public key verifies.
    static func privateKey(_ input: [UInt8]) {
        guard let key = try? PrivateKey(protobuf: input) else { return }
        invariant(
            (try? PrivateKey(protobuf: key.protobuf))?.publicKey == key.publicKey,
            "the private key changes when re-encoded"
        )
        guard let signature = try? key.sign(input) else {
            invariant(false, "a key that loaded cannot sign")
            return
        }
        invariant(key.publicKey.verify(signature: signature, for: input), "a key's own signature does not verify")
    }

    /// `identify`: a peer's identify message.
    static func identify(_ input: [UInt8]) {
        guard let info = try? IdentifyInfo(decoding: input) else { return }
        invariant(
            info.protocols.count + info.listenAddresses.count <= input.count / 2,
            "more entries than the message holds"
        )
        invariant((try? IdentifyInfo(decoding: info.encoded)) == info, "identify changes when re-encoded")
    }

    // MARK: - Private

    private static func checkPeerID(_ peer: PeerID) {
        invariant((try? PeerID(parsing: peer.description)) == peer, "the printed peer ID parses differently")
        invariant((try? PeerID(multihash: peer.multihash)) == peer, "the multihash decodes to another peer ID")
        if peer.multihash.first == 0 { invariant(peer.publicKey != nil, "an identity peer ID without a key") }
    }
}
