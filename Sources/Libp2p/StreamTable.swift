internal import NIOCore

/// What a muxer handler does for its state machine. The machine decides; the handler owns the
/// channel and the streams' buffers, and completes the promises.
enum MuxerAction<Frame> {
    /// Write a frame to the connection.
    case send(Frame)
    /// A new inbound stream: create it and hand it to the host.
    case accept(StreamKey)
    /// Bytes for a stream's reader.
    case deliver(ByteBuffer, to: StreamKey)
    /// The peer closed its side of the stream: its reader sees the end after the bytes buffered.
    case finish(StreamKey)
    /// The stream is closed both ways and left the table: forget it.
    case forget(StreamKey)
    /// The stream is gone (reset, timed out, over a limit, connection closing): fail its reader.
    case fail(StreamKey, Libp2pError)
    /// A write or half-close completed.
    case succeed(EventLoopPromise<Void>)
    /// A write or half-close failed.
    case failPromise(EventLoopPromise<Void>, Libp2pError)
    /// The stream may send more: pull its frames while the socket takes them.
    case drain(StreamKey)
    /// Resume reading the connection if a read was held back (mplex back-pressure).
    case resumeReading
    /// Close the connection after flushing; a reason is fired as the error that ended it.
    case closeConnection(Libp2pError?)
}

/// The streams of one muxed connection as yamux and mplex both track them: each stream's
/// outbound queue and half-close state, removal, write deadlines and idleness. `Extra` is the
/// muxer's own per-stream state (yamux: windows; mplex: unread bytes).
struct StreamTable<Extra, Frame> {
    typealias Action = MuxerAction<Frame>

    struct Stream {
        var outbound = OutboundQueue()
        var isRemoteClosed = false
        var extra: Extra
    }

    var streams: [StreamKey: Stream] = [:]
    /// Since when no stream has been open (nil while one is, or one opened since the last tick).
    private(set) var idleSince: NIODeadline?
    private var wasActive = false

    /// A table with no stream, idle since `now`.
    init(now: NIODeadline) {
        self.idleSince = now
    }

    var count: Int { self.streams.count }

    /// Adds a stream.
    mutating func insert(_ key: StreamKey, extra: Extra) {
        self.streams[key] = Stream(extra: extra)
        self.wasActive = true
    }

    /// Queues `bytes` on a stream; they go out as the stream is drained.
    mutating func write(
        _ key: StreamKey,
        _ bytes: ByteBuffer,
        promise: EventLoopPromise<Void>,
        deadline: NIODeadline
    ) -> [Action] {
        guard self.streams[key] != nil else {
            return [.failPromise(promise, Libp2pError(.streamClosed, "stream \(key) is closed for writing"))]
        }
        guard bytes.readableBytes > 0 else {
            return self.streams[key]!.outbound.isWriteClosed
                ? [.failPromise(promise, Libp2pError(.streamClosed, "stream \(key) is closed for writing"))]
                : [.succeed(promise)]
        }
        let write = PendingWrite(bytes: bytes, promise: promise, deadline: deadline)
        guard self.streams[key]!.outbound.enqueue(write) else {
            return [.failPromise(promise, Libp2pError(.streamClosed, "stream \(key) is closed for writing"))]
        }
        return [.drain(key)]
    }

    /// Asks for a stream's half-close after its queued writes.
    mutating func closeWrite(_ key: StreamKey, promise: EventLoopPromise<Void>) -> [Action] {
        guard self.streams[key]?.outbound.closeWrite(promise: promise) == true else { return [.succeed(promise)] }
        return [.drain(key)]
    }

    /// The next frames of a stream: a data chunk of at most `limit` bytes when `isWritable`, else
    /// its half-close once every write is out. Nil when the stream has nothing to send now.
    ///
    /// - Returns: the actions, and how many data bytes they send.
    mutating func pull(
        _ key: StreamKey,
        limit: Int,
        isWritable: Bool,
        data: (ByteBuffer) -> Frame,
        close: () -> Frame
    ) -> (actions: [Action], sent: Int)? {
        guard self.streams[key] != nil else { return nil }
        if isWritable, let (chunk, completed) = self.streams[key]!.outbound.nextChunk(maximum: limit) {
            return ([.send(data(chunk))] + (completed.map { [.succeed($0)] } ?? []), chunk.readableBytes)
        }
        guard !self.streams[key]!.outbound.hasPendingWrites, let promise = self.streams[key]!.outbound.takeDueClose()
        else { return nil }
        return ([.send(close()), .succeed(promise)] + self.removeIfClosed(key), 0)
    }

    /// The peer closed its side of a stream.
    mutating func remoteClosed(_ key: StreamKey) -> [Action] {
        guard self.streams[key]?.isRemoteClosed == false else { return [] }
        self.streams[key]!.isRemoteClosed = true
        return [.finish(key)] + self.removeIfClosed(key)
    }

    /// Removes a stream closed both ways.
    private mutating func removeIfClosed(_ key: StreamKey) -> [Action] {
        guard let stream = self.streams[key], stream.outbound.isCloseSent, stream.isRemoteClosed else { return [] }
        self.streams[key] = nil
        return [.forget(key)]
    }

    /// Removes a stream, failing its reader and every write and close it still owes.
    mutating func remove(_ key: StreamKey, failing error: Libp2pError) -> [Action] {
        guard var stream = self.streams.removeValue(forKey: key) else { return [] }
        return [.fail(key, error)] + stream.outbound.drop().map { .failPromise($0, error) }
    }

    /// Removes every stream, failing it with `error`.
    mutating func removeAll(failing error: Libp2pError) -> [Action] {
        self.streams.keys.sorted { $0.id < $1.id }.flatMap { self.remove($0, failing: error) }
    }

    /// Streams whose oldest waiting write passed its deadline.
    func expired(at now: NIODeadline) -> [StreamKey] {
        self.streams.filter { $0.value.outbound.hasExpired(at: now) }.map(\.key).sorted { $0.id < $1.id }
    }

    /// Streams with writes waiting or a half-close due.
    var streamsToDrain: [StreamKey] {
        self.streams.filter { $0.value.outbound.hasPendingWrites || $0.value.outbound.isWriteClosed }.map(\.key)
    }

    /// Notes at a timer tick whether any stream is or was open since the last one; returns how
    /// long the connection has been without streams.
    mutating func idleTime(at now: NIODeadline) -> TimeAmount {
        if self.wasActive || !self.streams.isEmpty {
            self.wasActive = false
            self.idleSince = self.streams.isEmpty ? now : nil
            return .zero
        }
        let since = self.idleSince ?? now
        self.idleSince = since
        return now - since
    }
}
