internal import NIOCore

/// Runs one multistream-select negotiation on a connection (security, then muxer: PROTOCOLS.md §7.1)
/// and hands the connection to the chosen protocol.
///
/// Sits after a ``LengthPrefixedFrameDecoder``. When a protocol is selected it adds the handlers
/// `install` returns right after itself, then removes itself and its decoder; the decoder passes
/// any bytes that followed the negotiation on to the new handlers.
final class MultistreamHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Role {
        case dialer(MultistreamDialer)
        case listener(MultistreamListener)
    }

    private var role: Role
    private let decoder: ByteToMessageHandler<LengthPrefixedFrameDecoder>
    private let install: (String) throws -> [any ChannelHandler]
    private var isDone = false

    /// A negotiation handler.
    ///
    /// - Parameters:
    ///   - role: dialer (proposes) or listener (answers).
    ///   - decoder: the decoder in front of this handler, removed together with it.
    ///   - install: the handlers that speak the selected protocol.
    init(
        role: Role,
        decoder: ByteToMessageHandler<LengthPrefixedFrameDecoder>,
        install: @escaping (String) throws -> [any ChannelHandler]
    ) {
        self.role = role
        self.decoder = decoder
        self.install = install
    }

    /// The decoder to put in front of a negotiation handler.
    static func makeDecoder() -> ByteToMessageHandler<LengthPrefixedFrameDecoder> {
        ByteToMessageHandler(LengthPrefixedFrameDecoder(maximumLength: Multistream.maximumMessageSize))
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if case .dialer(let dialer) = self.role {
            self.send(dialer.openingMessages, context: context)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.isDone else { return }
        do {
            let message = try Multistream.text(of: Self.unwrapInboundIn(data))
            switch self.role {
            case .dialer(var dialer):
                let action = try dialer.receive(message)
                self.role = .dialer(dialer)
                switch action {
                case .wait: break
                case .propose(let proposal): self.send([proposal], context: context)
                case .selected(let proposal): try self.finish(proposal, context: context)
                }
            case .listener(var listener):
                let action = try listener.receive(message)
                self.role = .listener(listener)
                switch action {
                case .reply(let replies): self.send(replies, context: context)
                case .selected(let proposal):
                    self.send([proposal], context: context)
                    try self.finish(proposal, context: context)
                }
            }
        } catch {
            self.isDone = true
            context.fireErrorCaught(error)
        }
    }

    private func send(_ messages: [String], context: ChannelHandlerContext) {
        let frames = Multistream.frames(messages, allocator: context.channel.allocator)
        context.writeAndFlush(Self.wrapOutboundOut(frames), promise: nil)
    }

    private func finish(_ selected: String, context: ChannelHandlerContext) throws {
        self.isDone = true
        let pipeline = context.pipeline.syncOperations
        try pipeline.addHandlers(try self.install(selected), position: .after(self))
        pipeline.removeHandler(context: context, promise: nil)
        pipeline.removeHandler(self.decoder, promise: nil)
    }
}
