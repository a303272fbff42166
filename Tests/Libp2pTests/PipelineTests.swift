import NIOCore
import NIOEmbedded
import Testing

@testable import Libp2p

/// A dialer and a listener connection pipeline on EmbeddedChannels, bytes moved by hand: the whole
/// upgrade runs deterministically, and garbage can be injected at every layer.
private final class EmbeddedPair {
    let dialer = EmbeddedChannel()
    let listener = EmbeddedChannel()
    let dialerUpgrade: EventLoopPromise<Connection>
    let listenerUpgrade: EventLoopPromise<Connection>
    let listenerKey: PrivateKey

    init(muxers: [Muxer] = [.yamux, .mplex], expectedPeer: PeerID? = nil) throws {
        let dialerKey = try PrivateKey.generate(.ed25519)
        self.listenerKey = try PrivateKey.generate(.secp256k1)
        self.dialerUpgrade = self.dialer.eventLoop.makePromise()
        self.listenerUpgrade = self.listener.eventLoop.makePromise()
        let configuration = MuxerConfiguration(
            maximumStreams: 4,
            receiveWindow: 262_144,
            writeTimeout: .seconds(5),
            mplexBufferLimit: 1 << 20,
            maximumUnreadBytes: 8 << 20,
            idleTimeout: nil
        )
        func settings(_ key: PrivateKey) throws -> ConnectionHandler.Settings {
            .init(
                identity: try NoiseIdentity(key: key),
                muxers: muxers,
                muxerConfiguration: configuration,
                timeout: .seconds(30)
            )
        }
        try self.dialer.pipeline.syncOperations.addHandler(
            ConnectionHandler(
                settings: try settings(dialerKey),
                direction: .outbound,
                expectedPeer: expectedPeer ?? self.listenerKey.peerID,
                upgraded: self.dialerUpgrade,
                onInboundStream: { _, _ in }
            )
        )
        try self.listener.pipeline.syncOperations.addHandler(
            ConnectionHandler(
                settings: try settings(self.listenerKey),
                direction: .inbound,
                expectedPeer: nil,
                upgraded: self.listenerUpgrade,
                onInboundStream: { _, _ in }
            )
        )
        try self.dialer.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try self.listener.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 2)).wait()
    }

    /// Moves bytes both ways until both sides are quiet.
    func shuttle() throws {
        var moved = true
        while moved {
            moved = false
            while let bytes = try self.dialer.readOutbound(as: ByteBuffer.self) {
                moved = true
                _ = try? self.listener.writeInbound(bytes)
            }
            while let bytes = try self.listener.readOutbound(as: ByteBuffer.self) {
                moved = true
                _ = try? self.dialer.writeInbound(bytes)
            }
            self.dialer.embeddedEventLoop.run()
            self.listener.embeddedEventLoop.run()
        }
    }

    func upgraded(_ promise: EventLoopPromise<Connection>) throws -> Connection? {
        try? promise.futureResult.wait()
    }

    func finish() {
        _ = try? self.dialer.finish()
        _ = try? self.listener.finish()
    }
}

@Suite("connection pipeline on embedded channels")
struct PipelineTests {
    @Test("dialer and listener upgrade to yamux with each other's peer IDs", arguments: [Muxer.yamux, .mplex])
    func upgrade(_ muxer: Muxer) throws {
        let pair = try EmbeddedPair(muxers: [muxer])
        defer { pair.finish() }
        try pair.shuttle()
        let dialed = try #require(try pair.upgraded(pair.dialerUpgrade))
        let accepted = try #require(try pair.upgraded(pair.listenerUpgrade))
        #expect(dialed.peerID == pair.listenerKey.peerID)
        #expect(accepted.peerID != dialed.peerID)
        #expect(dialed.muxerProtocol == muxer)
        #expect(accepted.muxerProtocol == muxer)
    }

    @Test("a listener that is not the dialled peer fails the handshake")
    func peerMismatch() throws {
        let pair = try EmbeddedPair(expectedPeer: try PrivateKey.generate().peerID)
        defer { pair.finish() }
        try pair.shuttle()
        let error = #expect(throws: Libp2pError.self) { try pair.dialerUpgrade.futureResult.wait() }
        #expect(error?.code == .peerIDMismatch)
        #expect(!pair.dialer.isActive)
    }

    @Test("garbage instead of the multistream header closes the connection with a clear error")
    func garbageMultistream() throws {
        let pair = try EmbeddedPair()
        defer { pair.finish() }
        _ = try? pair.listener.writeInbound(ByteBuffer(bytes: [0x05] + Array("hello".utf8)))
        let error = #expect(throws: Libp2pError.self) { try pair.listenerUpgrade.futureResult.wait() }
        #expect(error?.code == .negotiationFailed)
        #expect(!pair.listener.isActive)
    }

    @Test("a corrupted Noise handshake message closes the connection")
    func garbageNoiseHandshake() throws {
        let pair = try EmbeddedPair()
        defer { pair.finish() }
        var header = ByteBuffer()
        Multistream.write("/multistream/1.0.0", to: &header)
        Multistream.write("/noise", to: &header)
        _ = try? pair.listener.writeInbound(header)
        pair.listener.embeddedEventLoop.run()  // the multistream decoder leaves the pipeline
        _ = try pair.listener.readOutbound(as: ByteBuffer.self)
        _ = try? pair.listener.writeInbound(ByteBuffer(bytes: [0x00, 0x05, 1, 2, 3, 4, 5]))  // shorter than a key
        let error = #expect(throws: Libp2pError.self) { try pair.listenerUpgrade.futureResult.wait() }
        #expect(error?.code == .handshakeFailed)
        #expect(!pair.listener.isActive)
    }

    @Test("a tampered transport frame and a broken yamux frame each close the connection")
    func garbageAfterUpgrade() throws {
        for layer in ["noise", "yamux"] {
            let pair = try EmbeddedPair(muxers: [.yamux])
            defer { pair.finish() }
            try pair.shuttle()
            let connection = try #require(try pair.upgraded(pair.listenerUpgrade))
            if layer == "noise" {
                _ = try? pair.listener.writeInbound(
                    ByteBuffer(bytes: [0x00, 0x20] + [UInt8](repeating: 0xaa, count: 32))
                )
            } else {
                // A valid Noise frame from the dialer carrying a yamux header with version 9.
                try pair.dialer.writeAndFlush(ByteBuffer(bytes: Hex.bytes("090000000000000100000000"))).wait()
                try pair.shuttle()
            }
            pair.listener.embeddedEventLoop.run()
            #expect(!pair.listener.isActive, "\(layer)")
            let reason = connection.closeReason
            #expect(
                reason?.code == (layer == "noise" ? .decryptionFailed : .malformedFrame),
                "\(layer): \(String(describing: reason))"
            )
        }
    }

    @Test("a yamux peer overrunning its window or using our stream parity is disconnected with a protocol error")
    func yamuxViolations() throws {
        for violation in ["window", "parity"] {
            let pair = try EmbeddedPair(muxers: [.yamux])
            defer { pair.finish() }
            try pair.shuttle()
            let connection = try #require(try pair.upgraded(pair.listenerUpgrade))
            var frames = ByteBuffer()
            if violation == "window" {
                YamuxFrame(.windowUpdate, flags: .syn, streamID: 1).write(to: &frames)
                // Two frames within the decoder's limit whose sum exceeds the 262144-byte window.
                YamuxFrame(.data, streamID: 1, payload: ByteBuffer(repeating: 1, count: 200_000)).write(to: &frames)
                YamuxFrame(.data, streamID: 1, payload: ByteBuffer(repeating: 1, count: 100_000)).write(to: &frames)
            } else {
                YamuxFrame(.windowUpdate, flags: .syn, streamID: 2).write(to: &frames)
            }
            try pair.dialer.writeAndFlush(frames).wait()
            try pair.shuttle()
            #expect(!pair.listener.isActive, "\(violation)")
            #expect(connection.closeReason?.code == .protocolViolation, "\(violation)")
        }
    }
}
