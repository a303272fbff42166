internal import Gossipsub
internal import Libp2p

/// The relay router keys peers by ``PeerKey`` (its entry points are specialized for it), built
/// from and turned back into the node's ``PeerID``s.
extension PeerKey {
    init(_ peer: PeerID) {
        self.init(bytes: peer.multihash, description: peer.description)
    }
}

extension PeerID {
    init(_ key: PeerKey) {
        self.init(validated: key.bytes, description: key.description)
    }
}
