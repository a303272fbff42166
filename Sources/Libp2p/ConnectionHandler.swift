internal import NIOCore

/// The last handler of every connection: drives its upgrade (PROTOCOLS.md §7.1) and owns its fate.
///
/// It installs the security negotiation when the socket is active, the muxer negotiation once Noise
/// reports the peer, and completes `upgraded` when the muxer runs. The whole upgrade must finish
/// within `timeout`. Any error fired by a handler before it closes the connection and is recorded
/// as the reason the connection ended.
final class ConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    /// Everything the upgrade needs, fixed per host.
    struct Settings: Sendable {
        let identity: NoiseIdentity
        let muxers: [Muxer]
        let muxerConfiguration: MuxerConfiguration
        let timeout: TimeAmount
    }

    private let settings: Settings
    private let direction: ConnectionDirection
    private let expectedPeer: PeerID?
    private let upgraded: EventLoopPromise<Connection>
    private let onInboundStream: @Sendable (MuxedStream, Connection) -> Void
    private let admission: (@Sendable (PeerID) -> Libp2pError?)?
    private let usage = ConnectionUsage(now: .now())
    private var secured: SecuredPeer?
    private var connection: Connection?
    private var isStarted = false
    private var timeoutTask: Scheduled<Void>?

    init(
        settings: Settings,
        direction: ConnectionDirection,
        expectedPeer: PeerID?,
        upgraded: EventLoopPromise<Connection>,
        admission: (@Sendable (PeerID) -> Libp2pError?)? = nil,
        onInboundStream: @escaping @Sendable (MuxedStream, Connection) -> Void
    ) {
        self.settings = settings
        self.direction = direction
        self.expectedPeer = expectedPeer
        self.upgraded = upgraded
        self.admission = admission
        self.onInboundStream = onInboundStream
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { self.start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        self.start(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.timeoutTask?.cancel()
        self.upgraded.fail(Libp2pError(.connectionClosed, "connection closed during the upgrade"))
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Nothing reaches the end of the pipeline once a muxer runs; anything else is a bug upstream.
        self.errorCaught(context: context, error: Libp2pError(.protocolViolation, "unexpected bytes before the muxer"))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let event = event as? ConnectionEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        switch event {
        case .secured(let peer):
            // Inbound slots: only now is the peer known (protected peers, per-address shares).
            if let refusal = self.admission?(peer.peerID) {
                self.errorCaught(context: context, error: refusal)
                return
            }
            self.secured = peer
            self.negotiate(
                self.settings.muxers.map(\.rawValue),
                context: context,
                install: { [unowned self] selected in try self.muxerHandlers(selected, context: context) }
            )
        case .muxed(let handle):
            guard let peer = self.secured, let muxer = self.selectedMuxer else { return }
            self.timeoutTask?.cancel()
            let connection = Connection(
                channel: context.channel,
                peer: peer,
                muxer: handle,
                muxerProtocol: muxer,
                direction: self.direction,
                usage: self.usage
            )
            self.connection = connection
            self.upgraded.succeed(connection)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let failure: Libp2pError
        switch error {
        case let error as Libp2pError:
            failure = error
        case is IOError, is ChannelError:
            // A reset or a refused write is the peer going away, not a protocol violation.
            failure = Libp2pError(.connectionClosed, "connection lost: \(error)")
        default:
            failure = Libp2pError(.malformedFrame, "\(error)")
        }
        self.connection?.recordFailure(failure)
        self.timeoutTask?.cancel()
        self.upgraded.fail(failure)
        context.close(promise: nil)
    }

    // MARK: - Stages

    private var selectedMuxer: Muxer?

    private func start(context: ChannelHandlerContext) {
        guard !self.isStarted else { return }
        self.isStarted = true
        self.timeoutTask = context.eventLoop.assumeIsolated().scheduleTask(in: self.settings.timeout) {
            self.errorCaught(
                context: context,
                error: Libp2pError(.timeout, "connection upgrade did not finish within \(self.settings.timeout)")
            )
        }
        let identity = self.settings.identity
        let role: NoiseHandshake.Role = self.direction == .outbound ? .initiator : .responder
        let expected = self.expectedPeer
        self.negotiate(["/noise"], context: context) { _ in
            [
                ByteToMessageHandler(NoiseFrameDecoder()),
                NoiseHandler(role: role, identity: identity, expectedPeer: expected),
            ]
        }
    }

    private func negotiate(
        _ protocols: [String],
        context: ChannelHandlerContext,
        install: @escaping (String) throws -> [any ChannelHandler]
    ) {
        let decoder = MultistreamHandler.makeDecoder()
        let role: MultistreamHandler.Role =
            self.direction == .outbound
            ? .dialer(MultistreamDialer(proposals: protocols)) : .listener(MultistreamListener(supported: protocols))
        let negotiator = MultistreamHandler(role: role, decoder: decoder, install: install)
        do {
            try context.pipeline.syncOperations.addHandlers([decoder, negotiator], position: .before(self))
        } catch {
            self.errorCaught(context: context, error: error)
        }
    }

    private func muxerHandlers(_ selected: String, context: ChannelHandlerContext) throws -> [any ChannelHandler] {
        guard let muxer = Muxer(rawValue: selected) else {
            throw Libp2pError(.negotiationFailed, "negotiated unknown muxer \(selected)")
        }
        self.selectedMuxer = muxer
        var configuration = self.settings.muxerConfiguration
        // We close connections we dialled ourselves; only inbound ones time out when idle.
        if self.direction == .outbound { configuration.idleTimeout = nil }
        let onInboundStream = self.onInboundStream
        let deliver: (MuxedStream) -> Void = { [unowned self] stream in
            guard let connection = self.connection else { return }
            onInboundStream(stream, connection)
        }
        switch muxer {
        case .yamux:
            return [
                ByteToMessageHandler(
                    YamuxFrameDecoder(maximumPayload: max(configuration.receiveWindow, MuxerConfiguration.specWindow))
                ),
                MuxerHandler(
                    YamuxStateMachine(isDialer: self.direction == .outbound, configuration: configuration, now: .now()),
                    writeTimeout: configuration.writeTimeout,
                    usage: self.usage,
                    onInboundStream: deliver
                ),
            ]
        case .mplex:
            return [
                ByteToMessageHandler(MplexFrameDecoder()),
                MuxerHandler(
                    MplexStateMachine(configuration: configuration, now: .now()),
                    writeTimeout: configuration.writeTimeout,
                    usage: self.usage,
                    onInboundStream: deliver
                ),
            ]
        }
    }
}
