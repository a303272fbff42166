internal import NIOCore

/// An mplex session (PROTOCOLS.md §7.5), the fallback muxer, on the connection's event loop.
///
/// mplex has no flow control, so back-pressure works on the socket: while any stream holds more than
/// ``MuxerConfiguration/mplexBufferLimit`` unread bytes we stop reading the connection, and resume
/// once its reader catches up. Streams beyond ``MuxerConfiguration/maximumStreams`` are reset.
final class MplexHandler: ChannelDuplexHandler, MuxerLifecycle {
    typealias InboundIn = MplexFrame
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private final class Entry {
        let stream: MuxedStream
        var pending = CircularBuffer<PendingWrite>()
        var closeWritePromise: EventLoopPromise<Void>?
        var isWriteClosed = false
        var isCloseSent = false
        var isRemoteClosed = false

        init(stream: MuxedStream) { self.stream = stream }
    }

    /// Largest data frame we send; smaller than nim's 1 MiB limit so streams interleave fairly.
    private static let chunkSize = 64 * 1024

    private let configuration: MuxerConfiguration
    private let onInboundStream: (MuxedStream) -> Void
    private var entries: [StreamKey: Entry] = [:]
    private var nextStreamID: UInt64 = 1
    var context: ChannelHandlerContext?
    var handle: MuxerHandle?
    var timer: RepeatedTask?
    var isClosing = false
    private var overLimit: Set<StreamKey> = []
    private var isReadPending = false
    private var unflushed = 0

    init(configuration: MuxerConfiguration, onInboundStream: @escaping (MuxedStream) -> Void) {
        self.configuration = configuration
        self.onInboundStream = onInboundStream
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.attach(to: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.detach()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.connectionEnded(context)
    }

    func read(context: ChannelHandlerContext) {
        if self.overLimit.isEmpty {
            context.read()
        } else {
            self.isReadPending = true
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = Self.unwrapInboundIn(data)
        let flag = frame.flag
        // Receiver-variant frames come from the side that did not open the stream: it is ours.
        let isLocal = flag == .messageReceiver || flag == .closeReceiver || flag == .resetReceiver
        let key = StreamKey(id: frame.streamID, isLocal: isLocal)
        switch flag {
        case .newStream:
            guard self.entries[key] == nil else {
                self.protocolError(Libp2pError(.protocolViolation, "peer reopened mplex stream \(frame.streamID)"))
                return
            }
            guard !self.isClosing, self.entries.count < self.configuration.maximumStreams else {
                self.send(MplexFrame(streamID: frame.streamID, flag: .resetReceiver))
                break
            }
            let entry = self.makeEntry(key)
            self.onInboundStream(entry.stream)
        case .messageReceiver, .messageInitiator:
            guard let entry = self.entries[key], !entry.isRemoteClosed, frame.payload.readableBytes > 0 else { break }
            entry.stream.buffer.append(frame.payload)
            if entry.stream.buffer.bufferedBytes > self.configuration.mplexBufferLimit {
                self.overLimit.insert(key)
            }
        case .closeReceiver, .closeInitiator:
            guard let entry = self.entries[key], !entry.isRemoteClosed else { break }
            entry.isRemoteClosed = true
            entry.stream.buffer.finish()
            self.removeIfClosed(entry)
        case .resetReceiver, .resetInitiator:
            guard let entry = self.entries[key] else { break }
            self.remove(entry, failing: Libp2pError(.streamReset, "stream reset by the peer"))
        }
        self.flush()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            for entry in self.entries.values where !entry.pending.isEmpty { self.drain(entry) }
            self.flush()
        }
        context.fireChannelWritabilityChanged()
    }

    // MARK: - Helpers

    private func makeEntry(_ key: StreamKey) -> MplexHandler.Entry {
        // No window to grant: reports only tell us when a paused connection may be read again.
        let buffer = StreamBuffer(reportThreshold: 16 * 1024)
        // handle is set from handlerAdded until handlerRemoved, the only time frames flow.
        let entry = Entry(stream: MuxedStream(key: key, buffer: buffer, muxer: self.handle!))
        self.entries[key] = entry
        return entry
    }

    private func flag(_ entry: Entry, initiator: MplexFrame.Flag, receiver: MplexFrame.Flag) -> MplexFrame.Flag {
        entry.stream.key.isLocal ? initiator : receiver
    }

    private func drain(_ entry: Entry) {
        guard let context = self.context else { return }
        let flag = self.flag(entry, initiator: .messageInitiator, receiver: .messageReceiver)
        while context.channel.isWritable, var first = entry.pending.first {
            guard let slice = first.bytes.readSlice(length: min(Self.chunkSize, first.bytes.readableBytes)) else {
                break
            }
            self.send(MplexFrame(streamID: entry.stream.key.id, flag: flag, payload: slice))
            if first.bytes.readableBytes == 0 {
                entry.pending.removeFirst()
                first.promise.succeed()
            } else {
                entry.pending[entry.pending.startIndex] = first
            }
            if self.unflushed >= MuxerConfiguration.flushBatch { self.flush() }
        }
        if entry.pending.isEmpty && entry.isWriteClosed && !entry.isCloseSent {
            entry.isCloseSent = true
            let close = self.flag(entry, initiator: .closeInitiator, receiver: .closeReceiver)
            self.send(MplexFrame(streamID: entry.stream.key.id, flag: close))
            entry.closeWritePromise?.succeed()
            entry.closeWritePromise = nil
            self.removeIfClosed(entry)
        }
    }

    private func removeIfClosed(_ entry: Entry) {
        if entry.isCloseSent && entry.isRemoteClosed {
            self.forget(entry.stream.key)
        }
    }

    private func remove(_ entry: Entry, failing error: Libp2pError) {
        self.forget(entry.stream.key)
        entry.stream.buffer.fail(error)
        for write in entry.pending { write.promise.fail(error) }
        entry.pending.removeAll()
        entry.closeWritePromise?.fail(error)
        entry.closeWritePromise = nil
    }

    private func forget(_ key: StreamKey) {
        self.entries[key] = nil
        self.overLimit.remove(key)
        self.resumeReadingIfPossible()
    }

    private func resumeReadingIfPossible() {
        guard self.overLimit.isEmpty, self.isReadPending, let context = self.context else { return }
        self.isReadPending = false
        context.read()
    }

    func failAll(_ error: Libp2pError) {
        for entry in Array(self.entries.values) { self.remove(entry, failing: error) }
    }

    private func send(_ frame: MplexFrame) {
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

    private func protocolError(_ error: Libp2pError) {
        guard !self.isClosing, let context = self.context else { return }
        self.isClosing = true
        self.failAll(error)
        context.fireErrorCaught(error)
    }

    func expireDeadlines() {
        let now = NIODeadline.now()
        for entry in Array(self.entries.values) {
            entry.stream.buffer.expireWaiter(now: now)
            if let first = entry.pending.first, first.deadline <= now {
                self.send(
                    MplexFrame(
                        streamID: entry.stream.key.id,
                        flag: self.flag(entry, initiator: .resetInitiator, receiver: .resetReceiver)
                    )
                )
                self.remove(entry, failing: Libp2pError(.timeout, "the peer did not take our data in time"))
            }
        }
        self.flush()
    }
}

extension MplexHandler: MuxerSession {
    func openStream(promise: EventLoopPromise<MuxedStream>) {
        guard self.admitsStream(promise, open: self.entries.count, limit: self.configuration.maximumStreams) else {
            return
        }
        let key = StreamKey(id: self.nextStreamID, isLocal: true)
        self.nextStreamID += 1
        let entry = self.makeEntry(key)
        var name = ByteBuffer()
        name.writeString(String(key.id))  // go-mplex names streams after their id
        self.send(MplexFrame(streamID: key.id, flag: .newStream, payload: name))
        self.flush()
        promise.succeed(entry.stream)
    }

    func write(_ key: StreamKey, _ bytes: ByteBuffer, promise: EventLoopPromise<Void>) {
        guard let entry = self.entries[key], !entry.isWriteClosed else {
            promise.fail(Libp2pError(.streamClosed, "stream \(key) is closed for writing"))
            return
        }
        guard bytes.readableBytes > 0 else {
            promise.succeed()
            return
        }
        let deadline = NIODeadline.now() + self.configuration.writeTimeout
        entry.pending.append(PendingWrite(bytes: bytes, promise: promise, deadline: deadline))
        self.drain(entry)
        self.flush()
    }

    func closeWrite(_ key: StreamKey, promise: EventLoopPromise<Void>) {
        guard let entry = self.entries[key], !entry.isWriteClosed else {
            promise.succeed()
            return
        }
        entry.isWriteClosed = true
        entry.closeWritePromise = promise
        self.drain(entry)
        self.flush()
    }

    func reset(_ key: StreamKey) {
        guard let entry = self.entries[key] else { return }
        self.send(
            MplexFrame(streamID: key.id, flag: self.flag(entry, initiator: .resetInitiator, receiver: .resetReceiver))
        )
        self.flush()
        self.remove(entry, failing: Libp2pError(.streamReset, "stream reset locally"))
    }

    func consumed(_ key: StreamKey, bytes: Int) {
        guard let entry = self.entries[key] else { return }
        if entry.stream.buffer.bufferedBytes <= self.configuration.mplexBufferLimit {
            self.overLimit.remove(key)
            self.resumeReadingIfPossible()
        }
    }

    func shutdown() {
        guard !self.isClosing, let context = self.context else { return }
        self.isClosing = true
        self.failAll(Libp2pError(.connectionClosed, "connection closed by us"))
        context.close(promise: nil)
    }
}
