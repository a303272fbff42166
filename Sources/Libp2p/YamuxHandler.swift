internal import NIOCore

/// A yamux session (PROTOCOLS.md §7.4) on the connection's event loop.
///
/// Flow control: we never send more than the window the peer granted, starting from nim-libp2p's
/// 256000; we accept up to the spec's 262144 (py-libp2p assumes it) plus what we granted, and grant
/// more as the reader consumes (half a window at a time). A peer overrunning its window, opening a
/// stream with our id parity, or sending garbage gets a Go Away (protocol error) and the connection
/// is closed. Streams beyond ``MuxerConfiguration/maximumStreams`` are refused with RST.
final class YamuxHandler: ChannelInboundHandler, MuxerLifecycle {
    typealias InboundIn = YamuxFrame
    typealias OutboundOut = ByteBuffer

    private final class Entry {
        let stream: MuxedStream
        var sendWindow = MuxerConfiguration.nimWindow
        var receiveWindow: Int
        var pending = CircularBuffer<PendingWrite>()
        var closeWritePromise: EventLoopPromise<Void>?
        var isWriteClosed = false
        var isFinSent = false
        var isRemoteClosed = false

        init(stream: MuxedStream, receiveWindow: Int) {
            self.stream = stream
            self.receiveWindow = receiveWindow
        }
    }

    private let configuration: MuxerConfiguration
    private let onInboundStream: (MuxedStream) -> Void
    private var entries: [UInt32: Entry] = [:]
    private var nextStreamID: UInt32
    var context: ChannelHandlerContext?
    var handle: MuxerHandle?
    var timer: RepeatedTask?
    var isClosing = false
    private var unflushed = 0

    /// A session; the connection's dialer uses odd stream ids, the listener even ones.
    init(isDialer: Bool, configuration: MuxerConfiguration, onInboundStream: @escaping (MuxedStream) -> Void) {
        self.nextStreamID = isDialer ? 1 : 2
        self.configuration = configuration
        self.onInboundStream = onInboundStream
    }

    private var receiveWindow: Int { max(self.configuration.receiveWindow, MuxerConfiguration.specWindow) }

    func handlerAdded(context: ChannelHandlerContext) {
        self.attach(to: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.detach()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.connectionEnded(context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = Self.unwrapInboundIn(data)
        do {
            switch frame.type {
            case .ping:
                if frame.flags.contains(.syn) {
                    self.send(.ping, flags: .ack, streamID: 0, length: frame.length)
                    self.flush()
                }
            case .goAway:
                // nim-libp2p stops reading on Go Away and closes; so do we.
                self.isClosing = true
                self.failAll(Libp2pError(.connectionClosed, "peer sent Go Away (code \(frame.length))"))
                context.close(promise: nil)
            case .data, .windowUpdate:
                try self.handleStreamFrame(frame)
                self.flush()
            }
        } catch {
            self.protocolError(error, context: context)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            for entry in self.entries.values where !entry.pending.isEmpty { self.drain(entry) }
            self.flush()
        }
        context.fireChannelWritabilityChanged()
    }

    // MARK: - Inbound frames

    private func handleStreamFrame(_ frame: YamuxFrame) throws(Libp2pError) {
        let id = frame.streamID
        guard id != 0 else { throw Libp2pError(.protocolViolation, "yamux stream frame on stream 0") }
        if frame.flags.contains(.syn) && self.entries[id] == nil {
            guard id % 2 != self.nextStreamID % 2 else {
                throw Libp2pError(.protocolViolation, "peer opened stream \(id), which has our id parity")
            }
            guard !self.isClosing, self.entries.count < self.configuration.maximumStreams else {
                self.send(.windowUpdate, flags: .rst, streamID: id, length: 0)
                return
            }
            let entry = self.makeEntry(id: id, isLocal: false)
            self.send(
                .windowUpdate,
                flags: .ack,
                streamID: id,
                length: UInt32(self.receiveWindow - MuxerConfiguration.specWindow)
            )
            self.onInboundStream(entry.stream)
        }
        // Frames for streams we no longer track (reset by us, or fully closed) are dropped.
        guard let entry = self.entries[id] else { return }
        if frame.type == .windowUpdate {
            guard entry.sendWindow + Int(frame.length) <= Int(UInt32.max) else {
                throw Libp2pError(.protocolViolation, "window of stream \(id) grown beyond 2^32 − 1")
            }
            entry.sendWindow += Int(frame.length)
        } else if frame.payload.readableBytes > 0 {
            let count = frame.payload.readableBytes
            guard count <= entry.receiveWindow else {
                throw Libp2pError(
                    .protocolViolation,
                    "peer sent \(count) bytes on stream \(id) with only \(entry.receiveWindow) bytes of window"
                )
            }
            entry.receiveWindow -= count
            if !entry.isRemoteClosed { entry.stream.buffer.append(frame.payload) }
        }
        if frame.flags.contains(.rst) {
            self.remove(entry, failing: Libp2pError(.streamReset, "stream reset by the peer"))
            return
        }
        if frame.flags.contains(.fin) && !entry.isRemoteClosed {
            entry.isRemoteClosed = true
            entry.stream.buffer.finish()
        }
        if frame.type == .windowUpdate { self.drain(entry) }
        self.removeIfClosed(entry)
    }

    // MARK: - Helpers

    private func makeEntry(id: UInt32, isLocal: Bool) -> Entry {
        let buffer = StreamBuffer(reportThreshold: self.receiveWindow / 2)
        // handle is set from handlerAdded until handlerRemoved, the only time frames flow.
        let stream = MuxedStream(key: StreamKey(id: UInt64(id), isLocal: isLocal), buffer: buffer, muxer: self.handle!)
        let entry = Entry(stream: stream, receiveWindow: self.receiveWindow)
        self.entries[id] = entry
        return entry
    }

    /// Sends as much of the stream's queued bytes as its window and the socket allow.
    private func drain(_ entry: Entry) {
        guard let context = self.context else { return }
        let id = UInt32(entry.stream.key.id)
        while entry.sendWindow > 0, context.channel.isWritable, var first = entry.pending.first {
            let count = min(first.bytes.readableBytes, entry.sendWindow)
            guard let slice = first.bytes.readSlice(length: count) else { break }
            self.send(.data, flags: [], streamID: id, length: UInt32(count), payload: slice)
            entry.sendWindow -= count
            if first.bytes.readableBytes == 0 {
                entry.pending.removeFirst()
                first.promise.succeed()
            } else {
                entry.pending[entry.pending.startIndex] = first
            }
            if self.unflushed >= MuxerConfiguration.flushBatch { self.flush() }
        }
        if entry.pending.isEmpty && entry.isWriteClosed && !entry.isFinSent {
            entry.isFinSent = true
            self.send(.data, flags: .fin, streamID: id, length: 0)
            entry.closeWritePromise?.succeed()
            entry.closeWritePromise = nil
            self.removeIfClosed(entry)
        }
    }

    private func removeIfClosed(_ entry: Entry) {
        if entry.isFinSent && entry.isRemoteClosed {
            self.entries[UInt32(entry.stream.key.id)] = nil
        }
    }

    private func remove(_ entry: Entry, failing error: Libp2pError) {
        self.entries[UInt32(entry.stream.key.id)] = nil
        entry.stream.buffer.fail(error)
        for write in entry.pending { write.promise.fail(error) }
        entry.pending.removeAll()
        entry.closeWritePromise?.fail(error)
        entry.closeWritePromise = nil
    }

    func failAll(_ error: Libp2pError) {
        for entry in Array(self.entries.values) { self.remove(entry, failing: error) }
    }

    private func send(
        _ type: YamuxFrame.FrameType,
        flags: YamuxFrame.Flags,
        streamID: UInt32,
        length: UInt32,
        payload: ByteBuffer? = nil
    ) {
        guard let context = self.context else { return }
        var header = context.channel.allocator.buffer(capacity: YamuxFrame.headerLength)
        YamuxFrame.writeHeader(type, flags: flags, streamID: streamID, length: length, to: &header)
        context.write(Self.wrapOutboundOut(header), promise: nil)
        if let payload {
            context.write(Self.wrapOutboundOut(payload), promise: nil)
            self.unflushed += payload.readableBytes
        }
    }

    private func flush() {
        self.unflushed = 0
        self.context?.flush()
    }

    private func protocolError(_ error: any Error, context: ChannelHandlerContext) {
        guard !self.isClosing else { return }
        self.isClosing = true
        self.send(.goAway, flags: [], streamID: 0, length: YamuxFrame.GoAwayCode.protocolError.rawValue)
        self.flush()
        let failure = error as? Libp2pError ?? Libp2pError(.protocolViolation, "\(error)")
        self.failAll(failure)
        context.fireErrorCaught(failure)
    }

    func expireDeadlines() {
        let now = NIODeadline.now()
        for entry in Array(self.entries.values) {
            entry.stream.buffer.expireWaiter(now: now)
            if let first = entry.pending.first, first.deadline <= now {
                self.send(.data, flags: .rst, streamID: UInt32(entry.stream.key.id), length: 0)
                self.remove(entry, failing: Libp2pError(.timeout, "the peer did not take our data in time"))
            }
        }
        self.flush()
    }
}

/// Bytes queued on a stream, waiting for window or socket space.
struct PendingWrite {
    var bytes: ByteBuffer
    let promise: EventLoopPromise<Void>
    let deadline: NIODeadline
}

extension YamuxHandler: MuxerSession {
    func openStream(promise: EventLoopPromise<MuxedStream>) {
        guard self.admitsStream(promise, open: self.entries.count, limit: self.configuration.maximumStreams) else {
            return
        }
        guard self.nextStreamID < UInt32.max - 2 else {
            promise.fail(Libp2pError(.limitReached, "yamux stream ids exhausted on this connection"))
            return
        }
        let id = self.nextStreamID
        self.nextStreamID += 2
        let entry = self.makeEntry(id: id, isLocal: true)
        // nim-libp2p opens with Window Update + SYN; the length grants window beyond the spec's.
        self.send(
            .windowUpdate,
            flags: .syn,
            streamID: id,
            length: UInt32(self.receiveWindow - MuxerConfiguration.specWindow)
        )
        self.flush()
        promise.succeed(entry.stream)
    }

    func write(_ key: StreamKey, _ bytes: ByteBuffer, promise: EventLoopPromise<Void>) {
        guard let entry = self.entries[UInt32(key.id)], !entry.isWriteClosed else {
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
        guard let entry = self.entries[UInt32(key.id)] else {
            promise.succeed()
            return
        }
        guard !entry.isWriteClosed else {
            promise.succeed()
            return
        }
        entry.isWriteClosed = true
        entry.closeWritePromise = promise
        self.drain(entry)
        self.flush()
    }

    func reset(_ key: StreamKey) {
        guard let entry = self.entries[UInt32(key.id)] else { return }
        self.send(.data, flags: .rst, streamID: UInt32(key.id), length: 0)
        self.flush()
        self.remove(entry, failing: Libp2pError(.streamReset, "stream reset locally"))
    }

    func consumed(_ key: StreamKey, bytes: Int) {
        guard let entry = self.entries[UInt32(key.id)], !entry.isRemoteClosed else { return }
        entry.receiveWindow += bytes
        self.send(.windowUpdate, flags: [], streamID: UInt32(key.id), length: UInt32(bytes))
        self.flush()
    }

    func shutdown() {
        guard !self.isClosing, let context = self.context else { return }
        self.isClosing = true
        self.send(.goAway, flags: [], streamID: 0, length: YamuxFrame.GoAwayCode.normal.rawValue)
        self.flush()
        self.failAll(Libp2pError(.connectionClosed, "connection closed by us"))
        context.close(promise: nil)
    }
}
