internal import Crypto
internal import NIOCore

/// Secures a connection with Noise XX and then encrypts and decrypts its bytes (PROTOCOLS.md §7.3).
///
/// Sits after a ``NoiseFrameDecoder``. Runs the handshake as soon as it is added (the initiator
/// writes first), verifies the remote identity signature, checks the dialled peer ID, then fires
/// ``ConnectionEvent/secured(_:)``. In transport mode it passes plaintext up, and encrypts what is
/// written down in frames of at most 65487 plaintext bytes (nim-libp2p's size), gathering the
/// writes made before a flush into as few frames as possible. It never sends an empty frame.
final class NoiseHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Most plaintext bytes put in one transport frame.
    static let maximumPlaintext = 65535 - 32 - NoiseCipherState.tagLength

    private enum State {
        case handshaking(NoiseHandshake)
        case transport(send: NoiseCipherState, receive: NoiseCipherState)
        case failed
    }

    private var state: State
    private let expectedPeer: PeerID?
    private var pending: ByteBuffer?
    private var pendingPromise: EventLoopPromise<Void>?

    /// A handler for `role` that signs with `identity`'s payload; as initiator, `expectedPeer` (from the
    /// dialled `/p2p/…`) must match the responder.
    init(role: NoiseHandshake.Role, identity: NoiseIdentity, expectedPeer: PeerID?) {
        self.state = .handshaking(
            NoiseHandshake(role: role, staticKey: identity.staticKey, payload: identity.payload)
        )
        self.expectedPeer = expectedPeer
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.continueHandshake(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var message = Self.unwrapInboundIn(data)
        do {
            switch self.state {
            case .transport(let send, var receive):
                let plaintext = try message.withUnsafeReadableBytes { (raw) throws(Libp2pError) in
                    try receive.decrypt(raw, ad: [UInt8]())
                }
                self.state = .transport(send: send, receive: receive)
                if !plaintext.isEmpty {
                    var buffer = context.channel.allocator.buffer(capacity: plaintext.count)
                    buffer.writeBytes(plaintext)
                    context.fireChannelRead(Self.wrapInboundOut(buffer))
                }
            case .handshaking(var handshake):
                let bytes = message.readBytes(length: message.readableBytes) ?? []
                let payload = try handshake.readMessage(bytes)
                self.state = .handshaking(handshake)
                // Messages 2 and 3 carry the static key and, with it, the identity payload.
                if let remoteStatic = handshake.remoteStatic {
                    try self.verify(payload: payload, remoteStatic: remoteStatic)
                }
                self.continueHandshake(context: context)
            case .failed:
                return
            }
        } catch {
            self.fail(error, context: context)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .transport = self.state else {
            promise?.fail(Libp2pError(.connectionClosed, "write before the Noise handshake completed"))
            return
        }
        let plaintext = Self.unwrapOutboundIn(data)
        if plaintext.readableBytes == 0 {
            promise?.succeed()
            return
        }
        if self.pending == nil {
            self.pending = plaintext
        } else {
            self.pending?.writeImmutableBuffer(plaintext)
        }
        if let promise {
            if let existing = self.pendingPromise {
                existing.futureResult.cascade(to: promise)
            } else {
                self.pendingPromise = promise
            }
        }
    }

    func flush(context: ChannelHandlerContext) {
        guard case .transport(var send, let receive) = self.state, let plaintext = self.pending else {
            context.flush()
            return
        }
        self.pending = nil
        let promise = self.pendingPromise
        self.pendingPromise = nil
        let frames = (plaintext.readableBytes + Self.maximumPlaintext - 1) / Self.maximumPlaintext
        var output = context.channel.allocator.buffer(
            capacity: plaintext.readableBytes + frames * (2 + NoiseCipherState.tagLength)
        )
        do {
            try plaintext.withUnsafeReadableBytes { (raw) throws(Libp2pError) in
                var offset = 0
                while offset < raw.count {
                    let length = min(Self.maximumPlaintext, raw.count - offset)
                    output.writeInteger(UInt16(length + NoiseCipherState.tagLength))
                    try send.encrypt(
                        UnsafeRawBufferPointer(rebasing: raw[offset..<offset + length]),
                        appendingTo: &output
                    )
                    offset += length
                }
            }
        } catch {
            promise?.fail(error)
            self.fail(error, context: context)
            return
        }
        self.state = .transport(send: send, receive: receive)
        context.writeAndFlush(Self.wrapOutboundOut(output), promise: promise)
    }

    // MARK: - Handshake

    private func continueHandshake(context: ChannelHandlerContext) {
        guard case .handshaking(var handshake) = self.state else { return }
        do {
            if handshake.isOurTurn {
                let message = try handshake.writeMessage()
                var frame = context.channel.allocator.buffer(capacity: message.count + 2)
                frame.writeInteger(UInt16(message.count))
                frame.writeBytes(message)
                context.writeAndFlush(Self.wrapOutboundOut(frame), promise: nil)
            }
            if handshake.isComplete {
                let (send, receive) = handshake.split()
                self.state = .transport(send: send, receive: receive)
                if let remote = self.remote {
                    context.fireUserInboundEventTriggered(ConnectionEvent.secured(remote))
                }
            } else {
                self.state = .handshaking(handshake)
            }
        } catch {
            self.fail(error, context: context)
        }
    }

    private var remote: SecuredPeer?

    private func verify(payload bytes: [UInt8], remoteStatic: [UInt8]) throws(Libp2pError) {
        let payload = try NoisePayload(decoding: bytes)
        let peer = try payload.verify(staticKey: remoteStatic)
        if let expected = self.expectedPeer, expected != peer {
            throw Libp2pError(.peerIDMismatch, "dialled \(expected) but the peer is \(peer)")
        }
        self.remote = SecuredPeer(peerID: peer, publicKey: payload.identityKey)
    }

    private func fail(_ error: any Error, context: ChannelHandlerContext) {
        guard case .failed = self.state else {
            self.state = .failed
            self.pending = nil
            self.pendingPromise?.fail(error)
            self.pendingPromise = nil
            context.fireErrorCaught(error)
            return
        }
    }
}

/// Our side of every Noise handshake: the X25519 static key and its signed payload, made once per host.
struct NoiseIdentity: Sendable {
    let staticKey: Curve25519.KeyAgreement.PrivateKey
    let payload: [UInt8]

    init(key: PrivateKey) throws(Libp2pError) {
        self.staticKey = Curve25519.KeyAgreement.PrivateKey()
        self.payload = try NoisePayload(
            signing: Array(self.staticKey.publicKey.rawRepresentation),
            with: key
        ).encoded
    }
}

/// The remote identity established by the handshake.
struct SecuredPeer: Sendable {
    let peerID: PeerID
    let publicKey: PublicKey
}
