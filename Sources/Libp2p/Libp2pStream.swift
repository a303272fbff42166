package import NIOCore
internal import Synchronization

/// A muxed stream negotiated to one protocol, as protocol handlers and clients use it.
///
/// One task reads at a time (reads from two tasks at once are a programming error); writes may
/// come from any task. Every read waits at most its timeout (the host's read timeout when not
/// given). Writes return once the bytes are handed to the connection, which waits while the
/// peer's flow-control window is closed: back-pressure reaches the writer. After a read or write
/// error the stream should be reset.
package final class Libp2pStream: Sendable {
    /// The remote peer.
    package let peerID: PeerID
    /// The negotiated protocol ID.
    package let protocolID: String
    /// The peer's socket address (`/ip4/…/tcp/…`), when known.
    package let remoteAddress: Multiaddr?
    /// Whether we opened the stream.
    package let direction: ConnectionDirection
    let raw: MuxedStream
    private let readTimeout: Duration
    private let maximumMessageSize: Int
    private let isClosed = Mutex(false)

    init(
        raw: MuxedStream,
        protocolID: String,
        connection: Connection,
        readTimeout: Duration,
        maximumMessageSize: Int
    ) {
        self.raw = raw
        self.protocolID = protocolID
        self.peerID = connection.peerID
        self.remoteAddress = connection.remoteAddress
        self.direction = raw.key.isLocal ? .outbound : .inbound
        self.readTimeout = readTimeout
        self.maximumMessageSize = maximumMessageSize
    }

    deinit {
        // A stream dropped without close() must not stay open on the connection.
        if !self.isClosed.withLock({ $0 }) { self.raw.muxer.reset(self.raw.key) }
    }

    // MARK: - Reading

    /// The next bytes that arrived (at most `maximumLength`), or nil once the peer closed its side.
    package func read(maximumLength: Int = 64 * 1024, timeout: Duration? = nil) async throws -> ByteBuffer? {
        try await Self.take(self.raw, deadline: self.deadline(timeout)) { buffer throws(Libp2pError) in
            try buffer.takeChunk(maximum: maximumLength)
        }
    }

    /// Exactly `count` bytes (for fixed-size protocols like ping).
    ///
    /// - Throws: ``Libp2pError/Code/streamClosed`` when the peer closes its side first.
    package func readExactly(_ count: Int, timeout: Duration? = nil) async throws -> [UInt8] {
        let bytes = try await Self.take(self.raw, deadline: self.deadline(timeout)) { buffer throws(Libp2pError) in
            try buffer.takeExactly(count)
        }
        guard let bytes else {
            throw Libp2pError(.streamClosed, "the peer closed the stream before sending \(count) bytes")
        }
        return Array(bytes.readableBytesView)
    }

    /// One uvarint-length-prefixed message, or nil on a clean end of stream between messages.
    ///
    /// - Parameters:
    ///   - maxSize: the largest acceptable message; defaults to the host's limit for this protocol.
    ///   - timeout: how long to wait for the whole message; defaults to the host's read timeout.
    /// - Returns: the message's bytes, or nil when the peer closed its side before a new message.
    /// - Throws: ``Libp2pError`` `frameTooLarge` for a longer message, `malformedFrame` when the
    ///   stream ends inside one, `timeout`, `streamReset`, `connectionClosed`.
    package func readMessage(maxSize: Int? = nil, timeout: Duration? = nil) async throws -> [UInt8]? {
        let limit = maxSize ?? self.maximumMessageSize
        let message = try await Self.take(self.raw, deadline: self.deadline(timeout)) { buffer throws(Libp2pError) in
            try buffer.takeMessage(maximumLength: limit)
        }
        return message.map { Array($0.readableBytesView) }
    }

    /// One uvarint-length-prefixed message whose announced length `reserve` accepts first.
    ///
    /// `reserve` is called once, with the announced length, as soon as the length prefix has
    /// arrived and before any of the body is collected: a caller charges a byte budget there
    /// (and refuses by throwing) before the message takes memory. When it throws, the stream is
    /// reset, nothing more is buffered for the message, and the read fails with its error. Once
    /// it returned, the reservation is the caller's to release: after processing the message,
    /// and also when this read fails later (timeout, reset, the stream ending inside the message).
    ///
    /// - Parameters:
    ///   - maxSize: the largest acceptable message; defaults to the host's limit for this protocol.
    ///     A longer announced length fails with `frameTooLarge` before `reserve` is called.
    ///   - timeout: how long to wait for the whole message; defaults to the host's read timeout.
    ///   - reserve: called with the announced length; throws to refuse the message.
    /// - Returns: the message's bytes, or nil when the peer closed its side before a new message
    ///   (`reserve` is not called then).
    /// - Throws: what `reserve` throws; otherwise as ``readMessage(maxSize:timeout:)``.
    ///
    /// Runs in the caller's isolation (`nonisolated(nonsending)`), so `reserve` may use an
    /// actor's state without being `Sendable`.
    nonisolated(nonsending) package func readMessage(
        maxSize: Int? = nil,
        timeout: Duration? = nil,
        reserve: (Int) throws -> Void
    ) async throws -> [UInt8]? {
        let limit = maxSize ?? self.maximumMessageSize
        let deadline = self.deadline(timeout)
        guard let length = try await self.takeMessageLength(deadline: deadline, maximumLength: limit) else {
            return nil
        }
        do {
            try reserve(length)
        } catch {
            self.reset()
            throw error
        }
        let message = try await Self.take(self.raw, deadline: deadline) { buffer throws(Libp2pError) in
            try buffer.takeMessage(maximumLength: limit)
        }
        return message.map { Array($0.readableBytesView) } ?? []
    }

    /// Every complete length-prefixed message already received, waiting for the first one.
    ///
    /// Returns the first message as ``readMessage(maxSize:timeout:)`` would, then every further
    /// message that has arrived whole, while the batch holds fewer than `maxCount` messages and
    /// their bytes stay within `maxBytes` (the first message counts, but is returned whatever its
    /// size up to `maxSize`). A reader admits a batch in one hop instead of one per message.
    ///
    /// - Returns: at least one message, or nil when the peer closed its side before a new message.
    /// - Throws: as ``readMessage(maxSize:timeout:)``; an error in a later message is left for the
    ///   next read, so the messages before it are returned.
    package func readMessages(
        maxCount: Int,
        maxBytes: Int,
        maxSize: Int? = nil,
        timeout: Duration? = nil
    ) async throws -> [[UInt8]]? {
        let limit = maxSize ?? self.maximumMessageSize
        guard let first = try await self.readMessage(maxSize: limit, timeout: timeout) else { return nil }
        var batch = [first]
        var total = first.count
        let buffer = self.raw.buffer
        while batch.count < maxCount,
            let (next, report) = buffer.takeCompleteMessage(maximumLength: limit, maximumBytes: maxBytes - total)
        {
            self.raw.muxer.consumed(self.raw.key, bytes: report)
            batch.append(Array(next.readableBytesView))
            total += next.readableBytes
        }
        return batch
    }

    // MARK: - Writing

    /// Writes raw bytes.
    package func write(_ bytes: ByteBuffer) async throws {
        try await self.raw.write(bytes)
    }

    /// Writes raw bytes.
    package func write(_ bytes: [UInt8]) async throws {
        try await self.write(ByteBuffer(bytes: bytes))
    }

    /// Writes one uvarint-length-prefixed message.
    package func writeMessage(_ bytes: [UInt8]) async throws {
        try await self.writeMessages([bytes])
    }

    /// Writes uvarint-length-prefixed messages in one write.
    package func writeMessages(_ messages: [[UInt8]]) async throws {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(messages.reduce(0) { $0 + $1.count + 10 })
        for bytes in messages {
            UVarint.write(UInt64(bytes.count), to: &buffer)
            buffer.writeBytes(bytes)
        }
        try await self.write(buffer)
    }

    // MARK: - Closing

    /// Closes our side (FIN) after the bytes already written; the peer's side stays readable.
    package func closeWrite() async throws {
        try await self.raw.closeWrite()
    }

    /// Aborts the stream in both directions (RST).
    package func reset() {
        self.isClosed.withLock { $0 = true }
        self.raw.muxer.reset(self.raw.key)
    }

    /// Closes our side and stops reading; what the peer still sends is discarded.
    package func close() async {
        let wasClosed = self.isClosed.withLock { closed in
            let was = closed
            closed = true
            return was
        }
        guard !wasClosed else { return }
        do {
            try await self.raw.muxer.closeWrite(self.raw.key)
        } catch {
            self.raw.muxer.reset(self.raw.key)
            return
        }
        // The stream entry lives on until the peer's FIN; keep its window open meanwhile.
        self.raw.buffer.discardIncoming { self.raw.muxer.consumed(self.raw.key, bytes: $0) }
    }

    // MARK: - Private

    private func deadline(_ timeout: Duration?) -> NIODeadline {
        NIODeadline.now() + TimeAmount(timeout ?? self.readTimeout)
    }

    /// The length prefix of the next message (nil at a clean end of stream), waiting until `deadline`.
    nonisolated(nonsending) private func takeMessageLength(
        deadline: NIODeadline,
        maximumLength: Int
    ) async throws -> Int? {
        while true {
            switch try self.raw.buffer.takeMessageLength(maximumLength: maximumLength) {
            case .length(let length, let report):
                self.raw.muxer.consumed(self.raw.key, bytes: report)
                return length
            case .end(let report):
                self.raw.muxer.consumed(self.raw.key, bytes: report)
                return nil
            case .empty(let report):
                self.raw.muxer.consumed(self.raw.key, bytes: report)
                try await self.raw.buffer.waitForData(deadline: deadline)
            }
        }
    }

    /// Takes from the buffer, waiting for data until `deadline`; reports consumed bytes to the muxer.
    nonisolated(nonsending) static func take(
        _ raw: MuxedStream,
        deadline: NIODeadline,
        _ body: (StreamBuffer) throws(Libp2pError) -> StreamBuffer.Take
    ) async throws -> ByteBuffer? {
        while true {
            switch try body(raw.buffer) {
            case .bytes(let bytes, let report):
                raw.muxer.consumed(raw.key, bytes: report)
                return bytes
            case .end(let report):
                raw.muxer.consumed(raw.key, bytes: report)
                return nil
            case .empty(let report):
                raw.muxer.consumed(raw.key, bytes: report)
                try await raw.buffer.waitForData(deadline: deadline)
            }
        }
    }
}
