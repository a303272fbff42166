internal import NIOCore

/// A frame a muxer sends: a header, and a payload written after it without copying.
protocol MuxerFrame {
    /// The payload (empty for control frames).
    var payload: ByteBuffer { get }
    /// Writes everything but the payload.
    func writeHeader(to buffer: inout ByteBuffer)
}

extension YamuxFrame: MuxerFrame {
    func writeHeader(to buffer: inout ByteBuffer) {
        Self.writeHeader(self.type, flags: self.flags, streamID: self.streamID, length: self.length, to: &buffer)
    }
}

extension MplexFrame: MuxerFrame {}

/// The decisions of one muxer session (yamux or mplex) as a value: each input returns the
/// ``MuxerAction``s to perform, so sessions are tested without a channel.
///
/// Its metatype is sendable so that the handler's timer, scheduled on the event loop, may name it.
protocol MuxerStateMachine: SendableMetatype {
    associatedtype Frame: MuxerFrame

    /// Consumed bytes are reported by a stream's reader in batches of this size.
    var reportThreshold: Int { get }
    /// Streams open, both directions.
    var streamCount: Int { get }
    /// Since when no stream has been open (as of the last tick); nil while one is.
    var idleSince: NIODeadline? { get }
    /// Whether the connection's reads are held back (mplex back-pressure).
    var isReadPaused: Bool { get }
    /// Streams with writes waiting or a half-close due.
    var streamsToDrain: [StreamKey] { get }

    /// A frame arrived; `unreadBytes` is what the connection's streams hold unread.
    mutating func receive(_ frame: Frame, unreadBytes: Int) -> [MuxerAction<Frame>]
    /// Opens an outbound stream, or says why not.
    mutating func openStream() -> Result<(StreamKey, [MuxerAction<Frame>]), Libp2pError>
    /// Queues bytes on a stream.
    mutating func write(
        _ key: StreamKey,
        _ bytes: ByteBuffer,
        promise: EventLoopPromise<Void>,
        deadline: NIODeadline
    ) -> [MuxerAction<Frame>]
    /// Half-closes a stream after its queued bytes.
    mutating func closeWrite(_ key: StreamKey, promise: EventLoopPromise<Void>) -> [MuxerAction<Frame>]
    /// The next frames of a stream (data only when the socket `isWritable`); nil when none can go.
    mutating func pull(_ key: StreamKey, isWritable: Bool) -> [MuxerAction<Frame>]?
    /// Resets a stream in both directions.
    mutating func reset(_ key: StreamKey) -> [MuxerAction<Frame>]
    /// A stream's reader took `bytes` out of its buffer.
    mutating func consumed(_ key: StreamKey, bytes: Int) -> [MuxerAction<Frame>]
    /// The timer ticked: expires writes past their deadline, closes an idle connection.
    mutating func tick(now: NIODeadline) -> [MuxerAction<Frame>]
    /// We end the connection.
    mutating func shutdown() -> [MuxerAction<Frame>]
    /// The connection is gone.
    mutating func connectionEnded() -> [MuxerAction<Frame>]
}

/// The channel handler of a muxed connection: turns frames, calls from streams and timer ticks into
/// inputs of its state machine and performs the actions it returns. It owns the streams' buffers.
final class MuxerHandler<Machine: MuxerStateMachine>: ChannelDuplexHandler, MuxerSession {
    typealias InboundIn = Machine.Frame
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var machine: Machine
    private let writeTimeout: TimeAmount
    private let usage: ConnectionUsage
    private let onInboundStream: (MuxedStream) -> Void
    private var streams: [StreamKey: MuxedStream] = [:]
    private var context: ChannelHandlerContext?
    private var handle: MuxerHandle?
    private var timer: RepeatedTask?
    private var isReadPending = false
    private var unflushed = 0

    init(
        _ machine: Machine,
        writeTimeout: TimeAmount,
        usage: ConnectionUsage,
        onInboundStream: @escaping (MuxedStream) -> Void
    ) {
        self.machine = machine
        self.writeTimeout = writeTimeout
        self.usage = usage
        self.onInboundStream = onInboundStream
    }

    // MARK: - Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let handle = MuxerHandle(self, eventLoop: context.eventLoop)
        self.handle = handle
        // The timer holds the handler until it is cancelled (channelInactive / handlerRemoved).
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        self.timer = context.eventLoop.scheduleRepeatedTask(
            initialDelay: MuxerConfiguration.timerInterval,
            delay: MuxerConfiguration.timerInterval
        ) { _ in
            bound.value.tick()
        }
        context.fireUserInboundEventTriggered(ConnectionEvent.muxed(handle))
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.perform(self.machine.connectionEnded())
        self.timer?.cancel()
        self.context = nil
        self.handle = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.perform(self.machine.connectionEnded())
        self.timer?.cancel()
        context.fireChannelInactive()
    }

    func read(context: ChannelHandlerContext) {
        if self.machine.isReadPaused {
            self.isReadPending = true
        } else {
            context.read()
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.perform(self.machine.receive(Self.unwrapInboundIn(data), unreadBytes: self.usage.unreadBytes))
        self.flush()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            for key in self.machine.streamsToDrain { self.drain(key) }
            self.flush()
        }
        context.fireChannelWritabilityChanged()
    }

    // MARK: - MuxerSession

    func openStream(promise: EventLoopPromise<MuxedStream>) {
        guard self.context != nil else {
            promise.fail(Libp2pError(.connectionClosed, "connection is closing"))
            return
        }
        switch self.machine.openStream() {
        case .failure(let error):
            promise.fail(error)
        case .success((let key, let actions)):
            let stream = self.makeStream(key)
            self.perform(actions)
            self.flush()
            promise.succeed(stream)
        }
    }

    func write(_ key: StreamKey, _ bytes: ByteBuffer, promise: EventLoopPromise<Void>) {
        let deadline = NIODeadline.now() + self.writeTimeout
        self.perform(self.machine.write(key, bytes, promise: promise, deadline: deadline))
        self.flush()
    }

    func closeWrite(_ key: StreamKey, promise: EventLoopPromise<Void>) {
        self.perform(self.machine.closeWrite(key, promise: promise))
        self.flush()
    }

    func reset(_ key: StreamKey) {
        self.perform(self.machine.reset(key))
        self.flush()
    }

    func consumed(_ key: StreamKey, bytes: Int) {
        self.perform(self.machine.consumed(key, bytes: bytes))
        self.flush()
    }

    func shutdown() {
        self.perform(self.machine.shutdown())
        self.flush()
    }

    // MARK: - Private

    private func tick() {
        let now = NIODeadline.now()
        for stream in self.streams.values { stream.buffer.expireWaiter(now: now) }
        self.perform(self.machine.tick(now: now))
        self.usage.idleSince = self.machine.idleSince
        self.flush()
    }

    private func makeStream(_ key: StreamKey) -> MuxedStream {
        let buffer = StreamBuffer(reportThreshold: self.machine.reportThreshold, usage: self.usage)
        // handle is set from handlerAdded until handlerRemoved, the only time streams open.
        let stream = MuxedStream(key: key, buffer: buffer, muxer: self.handle!)
        self.streams[key] = stream
        return stream
    }

    private func perform(_ actions: [MuxerAction<Machine.Frame>]) {
        for action in actions {
            switch action {
            case .send(let frame):
                self.send(frame)
            case .accept(let key):
                self.onInboundStream(self.makeStream(key))
            case .deliver(let bytes, let key):
                self.streams[key]?.buffer.append(bytes)
            case .finish(let key):
                self.streams[key]?.buffer.finish()
            case .forget(let key):
                self.streams[key] = nil
            case .fail(let key, let error):
                self.streams.removeValue(forKey: key)?.buffer.fail(error)
            case .succeed(let promise):
                promise.succeed()
            case .failPromise(let promise, let error):
                promise.fail(error)
            case .drain(let key):
                self.drain(key)
            case .resumeReading:
                if self.isReadPending, let context = self.context {
                    self.isReadPending = false
                    context.read()
                }
            case .closeConnection(let reason):
                self.flush()
                if let reason {
                    self.context?.fireErrorCaught(reason)
                } else {
                    self.context?.close(promise: nil)
                }
            }
        }
    }

    /// Sends what a stream has queued while the socket takes it.
    private func drain(_ key: StreamKey) {
        guard let context = self.context else { return }
        while let actions = self.machine.pull(key, isWritable: context.channel.isWritable) {
            self.perform(actions)
            if self.unflushed >= MuxerConfiguration.flushBatch { self.flush() }
        }
    }

    private func send(_ frame: Machine.Frame) {
        guard let context = self.context else { return }
        var header = context.channel.allocator.buffer(capacity: 20)
        frame.writeHeader(to: &header)
        context.write(Self.wrapOutboundOut(header), promise: nil)
        if frame.payload.readableBytes > 0 {
            context.write(Self.wrapOutboundOut(frame.payload), promise: nil)
            self.unflushed += frame.payload.readableBytes
        }
    }

    private func flush() {
        self.unflushed = 0
        self.context?.flush()
    }
}
