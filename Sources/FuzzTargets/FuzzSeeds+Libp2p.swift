internal import Crypto
internal import Libp2p
internal import NIOCore
internal import WakuCore

extension FuzzSeeds {
    /// Seeds of the libp2p targets: `libp2p.json` and frames, keys and messages of our encoders.
    mutating func addLibp2pSeeds(_ vectors: VectorFiles) throws {
        let file = "libp2p.json"
        var keys: [PublicKey] = []
        for vector in try vectors.list(file, "peer_ids") {
            let type = try vectors.string(vector, "key_type")
            let protobuf = try vectors.hex(vector, "public_key_protobuf_hex")
            let multihash = try vectors.hex(vector, "peer_id_multihash_hex")
            self.add("public-key", "vector-\(type)", protobuf)
            self.add("peer-id-bytes", "vector-\(type)", multihash)
            self.add("peer-id-text", "vector-\(type)", Array(try vectors.string(vector, "peer_id_text").utf8))
            self.add("peer-id-text", "encoder-cid-\(type)", Array(("b" + Self.base32([0x01, 0x72] + multihash)).utf8))
            keys.append(try PublicKey(protobuf: protobuf))
            let secret = try vectors.hex(vector, type == "ed25519" ? "private_seed_hex" : "private_key_hex")
            let key = try PrivateKey(type: type == "ed25519" ? .ed25519 : .secp256k1, bytes: secret)
            self.add("private-key", "encoder-\(type)", key.protobuf)
            if type == "ed25519" {
                // The 32-byte seed form, which go-libp2p does not write but we accept.
                self.add("private-key", "encoder-ed25519-seed-only", [0x08, 0x01, 0x12, 0x20] + secret)
            }
        }
        let sha256 = try PeerID(multihash: [0x12, 0x20] + [UInt8](repeating: 0x5a, count: 32))
        self.add("peer-id-bytes", "encoder-sha256", sha256.multihash)
        self.add("peer-id-text", "encoder-sha256", Array(sha256.description.utf8))
        let p256 = try P256.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 7, count: 32))
        self.add(
            "public-key",
            "encoder-ecdsa",
            try PublicKey(type: .ecdsa, bytes: Array(p256.publicKey.derRepresentation)).protobuf
        )

        var addresses: [Multiaddr] = []
        for vector in try vectors.list(file, "multiaddrs") {
            let text = try vectors.string(vector, "text")
            self.add("multiaddr-text", "vector-\(addresses.count)", Array(text.utf8))
            self.add("multiaddr-binary", "vector-\(addresses.count)", try vectors.hex(vector, "binary_hex"))
            addresses.append(try Multiaddr(parsing: text))
        }
        self.add(
            "multiaddr-text",
            "encoder-dns6-cid",
            Array("/dns6/example.org/tcp/443/ipfs/b\(Self.base32([1, 0x72] + sha256.multihash))/".utf8)
        )

        let identify = IdentifyInfo(
            publicKey: keys.first,
            listenAddresses: addresses,
            protocols: ["/vac/waku/store-query/3.0.0", "/vac/waku/reconciliation/1.0.0", "/ipfs/id/1.0.0"],
            observedAddress: addresses.first,
            protocolVersion: "ipfs/0.1.0",
            agentVersion: "nwaku/v0.36.0"
        )
        self.add("identify", "encoder-full", identify.encoded)

        var negotiation: [UInt8] = []
        for vector in try vectors.list(file, "multistream") {
            negotiation += try vectors.hex(vector, "frame_hex")
        }
        self.add("multistream", "vector-frames-whole", [0] + negotiation)
        self.add("multistream", "vector-frames-chunked", [5] + negotiation)

        try self.addNoiseSeeds(vectors)
        self.addMuxerSeeds()
    }

    private mutating func addNoiseSeeds(_ vectors: VectorFiles) throws {
        let noise = try vectors.object(try vectors.top("libp2p.json"), "noise_xx")
        guard let messages = noise["messages"] as? [[String: Any]], messages.count == 5 else {
            throw VectorError("noise_xx does not have five messages")
        }
        let handshake = try messages.map { try vectors.hex($0, "noise_message_hex") }
        let wire = try messages.map { try vectors.hex($0, "wire_frame_hex") }
        // Byte 0 of a handshake seed is the target's mode.
        self.add("noise-handshake", "vector-message1", [0] + handshake[0])
        self.add("noise-handshake", "vector-message2", [1] + handshake[1])
        for (mode, role) in [(2, "responder"), (3, "initiator")] as [(UInt8, String)] {
            let payload = try vectors.hex(try vectors.object(noise, role), "handshake_payload_hex")
            self.add("noise-handshake", "vector-\(role)-payload", [mode] + payload)
            self.add("noise-payload", "vector-\(role)", payload)
        }
        // Message 5 is the initiator's first transport frame, which the fixed key opens.
        self.add("noise-frame", "vector-transport", [0] + wire[4] + wire[3])
        self.add("noise-frame", "vector-transcript-chunked", [5] + wire.joined())
    }

    private mutating func addMuxerSeeds() {
        var yamux = ByteBuffer()
        YamuxFrame(.data, flags: .syn, streamID: 1, payload: ByteBuffer(string: "hello")).write(to: &yamux)
        YamuxFrame(.windowUpdate, flags: .ack, streamID: 1, length: 256_000).write(to: &yamux)
        YamuxFrame(.ping, flags: .syn, streamID: 0, length: 7).write(to: &yamux)
        YamuxFrame(.data, flags: .fin, streamID: 2).write(to: &yamux)
        YamuxFrame(.goAway, streamID: 0, length: YamuxFrame.GoAwayCode.normal.rawValue).write(to: &yamux)
        self.add("yamux-frame", "encoder-frames-whole", [0] + Array(yamux.readableBytesView))
        self.add("yamux-frame", "encoder-frames-chunked", [5] + Array(yamux.readableBytesView))

        var mplex = ByteBuffer()
        let frames: [MplexFrame] = [
            MplexFrame(streamID: 1, flag: .newStream, payload: ByteBuffer(string: "1")),
            MplexFrame(streamID: 1, flag: .messageInitiator, payload: ByteBuffer(string: "hello")),
            MplexFrame(streamID: 1, flag: .closeInitiator),
            MplexFrame(streamID: 300, flag: .resetReceiver),
        ]
        for frame in frames {
            frame.writeHeader(to: &mplex)
            mplex.writeImmutableBuffer(frame.payload)
        }
        self.add("mplex-frame", "encoder-frames-whole", [0] + Array(mplex.readableBytesView))
        self.add("mplex-frame", "encoder-frames-chunked", [2] + Array(mplex.readableBytesView))
    }

    /// RFC 4648 base32, lowercase, unpadded: the multibase `b` text of CIDv1 peer IDs.
    private static func base32(_ bytes: [UInt8]) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
        var text = ""
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in bytes {
            accumulator = (accumulator << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                text.append(alphabet[Int((accumulator >> UInt32(bits)) & 31)])
            }
        }
        if bits > 0 { text.append(alphabet[Int((accumulator << UInt32(5 - bits)) & 31)]) }
        return text
    }
}
