import Foundation
import Testing
import WakuTestSupport

@testable import Libp2p

@Suite("keys, peer IDs, multiaddrs, node key file")
struct KeyTests {
    @Test("secp256k1 and Ed25519 keys sign and verify, and reject tampering", arguments: [KeyType.secp256k1, .ed25519])
    func signAndVerify(_ type: KeyType) throws {
        let key = try PrivateKey.generate(type)
        let message = Array("noise-libp2p-static-key:".utf8) + [UInt8](repeating: 1, count: 32)
        let signature = try key.sign(message)
        #expect(key.publicKey.verify(signature: signature, for: message))
        #expect(!key.publicKey.verify(signature: signature, for: message + [0]))
        #expect(!key.publicKey.verify(signature: [], for: message))
        let restored = try PrivateKey(protobuf: key.protobuf)
        #expect(restored.publicKey == key.publicKey)
        #expect(PeerID(publicKey: key.publicKey).publicKey == key.publicKey)
        #expect(key.peerID.description.hasPrefix(type == .secp256k1 ? "16Uiu2HA" : "12D3KooW"))
    }

    @Test("malformed keys are refused with a clear error")
    func malformedKeys() throws {
        #expect(throws: Libp2pError.self) { try PrivateKey(type: .secp256k1, bytes: [UInt8](repeating: 0, count: 32)) }
        #expect(throws: Libp2pError.self) {
            try PrivateKey(type: .secp256k1, bytes: [UInt8](repeating: 0xff, count: 32))
        }
        #expect(throws: Libp2pError.self) { try PrivateKey(type: .ed25519, bytes: [1, 2, 3]) }
        #expect(throws: Libp2pError.self) {
            try PublicKey(type: .secp256k1, bytes: [0x02] + [UInt8](repeating: 0, count: 32))
        }
        #expect(throws: Libp2pError.self) { try PublicKey(type: .rsa, bytes: [1]) }
        #expect(throws: Libp2pError.self) { try PublicKey(protobuf: [0x08, 0x09, 0x12, 0x00]) }
        #expect(throws: Libp2pError.self) { try PublicKey(protobuf: [0x08, 0x01]) }
        #expect(throws: Libp2pError.self) { try PublicKey(protobuf: [0x08, 0x01, 0x12, 0x20, 0x01]) }
        let error = #expect(throws: Libp2pError.self) { try PublicKey(type: .rsa, bytes: [1]) }
        #expect(error?.code == .invalidKey)
        #expect(error?.detail.contains("RSA") == true)
    }

    @Test("malformed peer IDs are refused; CIDv1 text is accepted")
    func peerIDs() throws {
        for text in [
            "", "0OIl", "16Uiu2HAmLhLvBoYaoZfaMUKuibM6ac163GwKY74c5kiSLg5KvLp", "QmShort", "bafzbad", "12D3KooW",
        ] {
            let error = #expect(throws: Libp2pError.self) { try PeerID(parsing: text) }
            #expect(error?.code == .invalidPeerID)
        }
        let cid = try PeerID(parsing: "bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt6")
        #expect(cid.description == "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq")
        let sha = try PeerID(multihash: [0x12, 0x20] + [UInt8](repeating: 7, count: 32))
        #expect(sha.description.hasPrefix("Qm"))
        #expect(sha.publicKey == nil)
    }

    @Test("multiaddrs outside /ip4 /ip6 /dns4 /dns6 /tcp /p2p are rejected with a clear message")
    func unsupportedMultiaddrs() throws {
        for text in [
            "/ip4/127.0.0.1/udp/9000", "/ip4/1.2.3/tcp/1", "/ip4/127.0.0.1/tcp/70000", "ip4/1.2.3.4", "/ip6/zz::1",
            "/ip4/127.0.0.1/tcp", "/dns/example.org/tcp/1", "/ip4/127.0.0.1/tcp/1/ws", "/p2p/notapeer",
        ] {
            let error = #expect(throws: Libp2pError.self) { try Multiaddr(parsing: text) }
            #expect(error?.code == .invalidMultiaddr)
            #expect(error?.detail.contains(text) == true)
        }
        let udp = #expect(throws: Libp2pError.self) {
            try Multiaddr(bytes: [0x04, 127, 0, 0, 1, 0x91, 0x02, 0x23, 0x28])
        }
        #expect(udp?.detail.contains("0x111") == true)
        #expect(throws: Libp2pError.self) { try Multiaddr(bytes: [0x04, 127, 0]) }
        #expect(throws: Libp2pError.self) { try Multiaddr(bytes: [0xa5, 0x03, 0x05, 0x00, 0x01]) }
        let v6 = try Multiaddr(
            parsing: "/ip6/2001:db8:0:0:0:0:0:1/tcp/1/ipfs/12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq"
        )
        #expect(v6.description == "/ip6/2001:db8::1/tcp/1/p2p/12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq")
        #expect(v6.withoutPeerID.description == "/ip6/2001:db8::1/tcp/1")
    }

    @Test("node.key is created once with mode 0600 and loaded afterwards")
    func nodeKeyFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let created = try NodeKey.loadOrCreate(in: directory.path)
        #expect(created.publicKey.type == .secp256k1)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.file("node.key").path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let loaded = try NodeKey.loadOrCreate(in: directory.path)
        #expect(loaded.peerID == created.peerID)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["node.key"])
        let ed = try TemporaryDirectory()
        defer { ed.remove() }
        #expect(try NodeKey.loadOrCreate(in: ed.path, type: .ed25519).publicKey.type == .ed25519)
    }

    @Test("a malformed or exposed node.key is refused with a clear error")
    func malformedNodeKey() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("node.key").path
        for (contents, expected) in [
            (Data(), "empty"), (Data("not a key".utf8), "usable"), (Data([0x08, 0x02, 0x12, 0x01, 0x00]), "usable"),
        ] {
            _ = FileManager.default.createFile(atPath: path, contents: contents, attributes: [.posixPermissions: 0o600])
            let error = #expect(throws: Libp2pError.self) { try NodeKey.loadOrCreate(in: directory.path) }
            #expect(error?.code == .keyFile)
            #expect(error?.detail.contains(expected) == true)
        }
        _ = FileManager.default.createFile(
            atPath: path,
            contents: Data(try PrivateKey.generate().protobuf),
            attributes: [.posixPermissions: 0o644]
        )
        let exposed = #expect(throws: Libp2pError.self) { try NodeKey.loadOrCreate(in: directory.path) }
        #expect(exposed?.detail.contains("chmod 600") == true)
        let missing = #expect(throws: Libp2pError.self) { try NodeKey.loadOrCreate(in: directory.path + "/nope") }
        #expect(missing?.code == .keyFile)
    }
}
