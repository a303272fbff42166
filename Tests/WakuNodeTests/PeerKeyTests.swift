import Gossipsub
import Libp2p
import Testing

@testable import WakuNode

@Suite("Relay peer keys")
struct PeerKeyTests {
    @Test("a peer ID survives the trip through the router's key: bytes, text and identity")
    func roundTrip() throws {
        for _ in 0..<3 {
            let peer = try PrivateKey.generate(.ed25519).peerID
            let key = PeerKey(peer)
            let back = PeerID(key)
            #expect(back == peer)
            #expect(back.description == peer.description)
            #expect(back.multihash == peer.multihash)
            #expect(key.description == peer.description)
            #expect(try PeerID(parsing: back.description) == peer)
        }
    }

    @Test("keys order as their peer IDs do")
    func order() throws {
        let peers = try (0..<8).map { _ in try PrivateKey.generate(.secp256k1).peerID }
        #expect(peers.sorted().map(PeerKey.init) == peers.map(PeerKey.init).sorted())
    }
}
