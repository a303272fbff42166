internal import NIOCore

/// What the yamux and mplex handlers share around their streams: announcing the muxer when the
/// handler is added, the timer that expires read and write deadlines, and failing every stream
/// when the connection goes away.
protocol MuxerLifecycle: MuxerSession {
    var context: ChannelHandlerContext? { get set }
    var handle: MuxerHandle? { get set }
    var timer: RepeatedTask? { get set }
    var isClosing: Bool { get set }
    /// Fails reads and writes whose deadline passed (called by the timer).
    func expireDeadlines()
    /// Fails every stream with `error`.
    func failAll(_ error: Libp2pError)
}

extension MuxerLifecycle {
    /// From `handlerAdded`: keeps the context, starts the deadline timer, announces the muxer.
    func attach(to context: ChannelHandlerContext) {
        self.context = context
        let handle = MuxerHandle(self, eventLoop: context.eventLoop)
        self.handle = handle
        // The timer holds the handler until it is cancelled (channelInactive / handlerRemoved).
        let bound = NIOLoopBound(self as any MuxerLifecycle, eventLoop: context.eventLoop)
        self.timer = context.eventLoop.scheduleRepeatedTask(
            initialDelay: MuxerConfiguration.timerInterval,
            delay: MuxerConfiguration.timerInterval
        ) { _ in
            bound.value.expireDeadlines()
        }
        context.fireUserInboundEventTriggered(ConnectionEvent.muxed(handle))
    }

    /// From `handlerRemoved`.
    func detach() {
        self.failAll(Libp2pError(.connectionClosed, "connection closed"))
        self.timer?.cancel()
        self.context = nil
        self.handle = nil
    }

    /// Whether another outbound stream may open (`open` are, `limit` may); if not, fails `promise`
    /// with the reason.
    func admitsStream(_ promise: EventLoopPromise<MuxedStream>, open: Int, limit: Int) -> Bool {
        guard !self.isClosing, self.context != nil else {
            promise.fail(Libp2pError(.connectionClosed, "connection is closing"))
            return false
        }
        guard open < limit else {
            promise.fail(Libp2pError(.limitReached, "\(limit) streams already open on this connection"))
            return false
        }
        return true
    }

    /// From `channelInactive`.
    func connectionEnded(_ context: ChannelHandlerContext) {
        self.isClosing = true
        self.failAll(Libp2pError(.connectionClosed, "connection closed"))
        self.timer?.cancel()
        context.fireChannelInactive()
    }
}
