package import NIOCore
internal import Synchronization

/// The inbound side of one muxed stream, shared by its muxer (on the connection's event loop) and
/// the one task reading it.
///
/// The muxer appends what arrives; the reader takes bytes out. Every byte taken is counted, and
/// once ``reportThreshold`` bytes have been taken the reader tells the muxer, which turns it into a
/// yamux window update or resumes reading an mplex connection. So the buffer never holds more than
/// the peer was allowed to send: back-pressure from the reader to the remote writer. Unread bytes
/// are also counted in the connection's ``ConnectionUsage``, which caps them across its streams.
package final class StreamBuffer: Sendable {
    /// What a take found.
    package enum Take {
        /// Some bytes, and how many consumed bytes to report to the muxer (0 for none yet).
        case bytes(ByteBuffer, report: Int)
        /// Nothing yet; wait.
        case empty(report: Int)
        /// The remote closed its side and everything was read.
        case end(report: Int)
    }

    /// What reading a message's length prefix found.
    enum LengthTake {
        /// The message's length; its body is collected by the next ``takeMessage(maximumLength:)``.
        case length(Int, report: Int)
        /// Nothing yet; wait.
        case empty(report: Int)
        /// The remote closed its side between messages.
        case end(report: Int)
    }

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Void, any Error>
        let deadline: NIODeadline
    }

    /// A length-prefixed message or exact read in progress: bytes collected and still missing.
    private struct Partial {
        var collected: ByteBuffer
        var missing: Int
    }

    private struct State {
        var chunks = CircularBuffer<ByteBuffer>()
        var buffered = 0
        var unreported = 0
        var isFinished = false
        var failure: Libp2pError?
        var waiter: Waiter?
        var nextWaiterID: UInt64 = 0
        var partial: Partial?
        /// Set once the reader closed: arriving bytes are dropped and reported as consumed at once.
        var discard: (@Sendable (Int) -> Void)?
    }

    private let state = Mutex(State())
    /// Consumed bytes are reported to the muxer in batches of at least this size.
    let reportThreshold: Int
    /// The connection's count of unread bytes across its streams.
    private let usage: ConnectionUsage?

    /// A buffer reporting consumed bytes in batches of `reportThreshold`, counting its unread
    /// bytes in `usage` (the connection's) when given.
    package init(reportThreshold: Int, usage: ConnectionUsage? = nil) {
        self.reportThreshold = reportThreshold
        self.usage = usage
    }

    // MARK: - Muxer side (event loop)

    /// Bytes held and not yet read.
    var bufferedBytes: Int { self.state.withLock { $0.buffered } }

    /// The message being collected, if any: bytes so far, the capacity holding them, and the
    /// address of that storage (tests check that it grows with the bytes and is not copied).
    var collecting: (bytes: Int, capacity: Int, storage: UInt)? {
        self.state.withLock { state in
            guard let collected = state.partial?.collected else { return nil }
            let storage = collected.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
            return (collected.readableBytes, collected.capacity, storage)
        }
    }

    /// Adds bytes that arrived; wakes the reader.
    package func append(_ bytes: ByteBuffer) {
        let (waiter, discard) = self.state.withLock { state -> (Waiter?, (@Sendable (Int) -> Void)?) in
            guard state.failure == nil, !state.isFinished else { return (nil, nil) }
            if let discard = state.discard { return (nil, discard) }
            state.chunks.append(bytes)
            self.adjust(&state, by: bytes.readableBytes)
            return (state.waiter.take(), nil)
        }
        waiter?.continuation.resume()
        discard?(bytes.readableBytes)
    }

    /// Drops everything buffered and everything that arrives later, reporting it as consumed
    /// through `report` so the peer's window stays open until it closes its side.
    func discardIncoming(report: @escaping @Sendable (Int) -> Void) {
        let amount = self.state.withLock { state -> Int in
            state.discard = report
            let amount = state.buffered + state.unreported
            state.chunks.removeAll()
            self.adjust(&state, by: -state.buffered)
            state.unreported = 0
            state.partial = nil
            return amount
        }
        if amount > 0 { report(amount) }
    }

    /// The remote closed its side (FIN): reads drain what is buffered, then end.
    package func finish() {
        let waiter = self.state.withLock { state -> Waiter? in
            state.isFinished = true
            return state.waiter.take()
        }
        waiter?.continuation.resume()
    }

    /// The stream is reset or its connection is gone: buffered bytes are dropped and reads throw.
    func fail(_ error: Libp2pError) {
        let waiter = self.state.withLock { state -> Waiter? in
            if state.failure == nil { state.failure = error }
            state.chunks.removeAll()
            self.adjust(&state, by: -state.buffered)
            state.partial = nil
            return state.waiter.take()
        }
        waiter?.continuation.resume(throwing: error)
    }

    /// Fails a waiting reader whose deadline has passed (called by the connection's timer).
    func expireWaiter(now: NIODeadline) {
        let waiter = self.state.withLock { state -> Waiter? in
            guard let waiter = state.waiter, waiter.deadline <= now else { return nil }
            state.waiter = nil
            return waiter
        }
        waiter?.continuation.resume(throwing: Libp2pError(.timeout, "no data from the peer in time"))
    }

    // MARK: - Reader side

    /// Takes the next buffered chunk (at most `maximum` bytes of it).
    func takeChunk(maximum: Int) throws(Libp2pError) -> Take {
        try self.state.withLock { (state) throws(Libp2pError) -> Take in
            if let failure = state.failure { throw failure }
            guard var first = state.chunks.first else {
                return state.isFinished ? .end(report: Self.flush(&state)) : .empty(report: 0)
            }
            let slice: ByteBuffer
            if first.readableBytes <= maximum {
                slice = state.chunks.removeFirst()
            } else {
                slice = first.readSlice(length: maximum) ?? ByteBuffer()
                state.chunks[state.chunks.startIndex] = first
            }
            return .bytes(slice, report: self.consume(slice.readableBytes, &state))
        }
    }

    /// Takes exactly `count` bytes, collecting across calls; `.end` if the stream ends first.
    func takeExactly(_ count: Int) throws(Libp2pError) -> Take {
        try self.state.withLock { (state) throws(Libp2pError) -> Take in
            if let failure = state.failure { throw failure }
            if state.partial == nil { state.partial = Partial(collected: ByteBuffer(), missing: count) }
            return try self.collect(&state)
        }
    }

    /// Takes one uvarint-length-prefixed message, collecting across calls.
    ///
    /// - Throws: ``Libp2pError`` `frameTooLarge` when the announced length exceeds `maximumLength`,
    ///   `malformedFrame` when the stream ends inside a message.
    package func takeMessage(maximumLength: Int) throws(Libp2pError) -> Take {
        try self.state.withLock { (state) throws(Libp2pError) -> Take in
            if let failure = state.failure { throw failure }
            if state.partial == nil {
                switch try self.startMessage(&state, maximumLength: maximumLength) {
                case .length: break
                case .empty(let report): return .empty(report: report)
                case .end(let report): return .end(report: report)
                }
            }
            return try self.collect(&state)
        }
    }

    /// Reads the length prefix of the next message (or the length of the one being collected)
    /// without collecting its body.
    ///
    /// - Throws: as ``takeMessage(maximumLength:)``.
    func takeMessageLength(maximumLength: Int) throws(Libp2pError) -> LengthTake {
        try self.state.withLock { (state) throws(Libp2pError) -> LengthTake in
            if let failure = state.failure { throw failure }
            if let partial = state.partial {
                return .length(partial.collected.readableBytes + partial.missing, report: 0)
            }
            return try self.startMessage(&state, maximumLength: maximumLength)
        }
    }

    /// The next message if it is already buffered whole, no longer than `maximumLength` and
    /// `maximumBytes`; nil otherwise (a message too long for `maximumLength` is left for the next
    /// ``takeMessage(maximumLength:)`` to refuse).
    func takeCompleteMessage(maximumLength: Int, maximumBytes: Int) -> (ByteBuffer, report: Int)? {
        self.state.withLock { state -> (ByteBuffer, report: Int)? in
            guard state.failure == nil, state.partial == nil,
                case .value(let length, let prefix)? = try? UVarint.peek(Self.header(state.chunks)),
                length <= UInt64(min(maximumLength, maximumBytes)), prefix + Int(length) <= state.buffered
            else { return nil }
            self.drop(prefix, &state)
            state.partial = Partial(collected: ByteBuffer(), missing: Int(length))
            guard case .bytes(let message, let report)? = try? self.collect(&state) else { return nil }
            return (message, report)
        }
    }

    /// Waits until something arrives, the stream ends or fails, or `deadline` passes.
    func waitForData(deadline: NIODeadline) async throws {
        let id = self.state.withLock { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = self.state.withLock { state -> Result<Void, any Error>? in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if let failure = state.failure { return .failure(failure) }
                    if !state.chunks.isEmpty || state.isFinished { return .success(()) }
                    precondition(state.waiter == nil, "two tasks read the same stream at once")
                    state.waiter = Waiter(id: id, continuation: continuation, deadline: deadline)
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let waiter = self.state.withLock { state -> Waiter? in
                guard state.waiter?.id == id else { return nil }
                return state.waiter.take()
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    // MARK: - Private

    /// Reads and drops the length prefix of a new message and starts collecting its body.
    private func startMessage(_ state: inout State, maximumLength: Int) throws(Libp2pError) -> LengthTake {
        guard case .value(let length, let prefix) = try UVarint.peek(Self.header(state.chunks)) else {
            if state.isFinished {
                guard state.buffered == 0 else {
                    throw Libp2pError(.malformedFrame, "stream ended inside a length prefix")
                }
                return .end(report: Self.flush(&state))
            }
            return .empty(report: 0)
        }
        guard length <= UInt64(maximumLength) else {
            throw Libp2pError(.frameTooLarge, "message of \(length) bytes exceeds the limit of \(maximumLength)")
        }
        self.drop(prefix, &state)
        state.partial = Partial(collected: ByteBuffer(), missing: Int(length))
        return .length(Int(length), report: 0)
    }

    /// The first bytes buffered, up to the longest uvarint.
    private static func header(_ chunks: CircularBuffer<ByteBuffer>) -> [UInt8] {
        var header: [UInt8] = []
        for chunk in chunks {
            for byte in chunk.readableBytesView {
                header.append(byte)
                if byte & 0x80 == 0 || header.count > 9 { return header }
            }
        }
        return header
    }

    private func collect(_ state: inout State) throws(Libp2pError) -> Take {
        // Taken out of the state while bytes are appended: a second reference would make every
        // append copy the whole partial message (copy-on-write), quadratic in its size.
        guard var partial = state.partial.take() else { return .empty(report: 0) }
        var taken = 0
        while partial.missing > 0, var first = state.chunks.first {
            let length = min(partial.missing, first.readableBytes)
            if partial.collected.readableBytes == 0 && length == partial.missing,
                let whole = first.readSlice(length: length)
            {
                partial.collected = whole  // the whole rest is in one chunk: no copy
            } else if let part = first.readSlice(length: length) {
                // Grows as bytes arrive (doubling): an announced length reserves nothing.
                partial.collected.writeImmutableBuffer(part)
            }
            if first.readableBytes == 0 {
                state.chunks.removeFirst()
            } else {
                state.chunks[state.chunks.startIndex] = first
            }
            partial.missing -= length
            taken += length
        }
        let report = self.consume(taken, &state)
        if partial.missing == 0 {
            return .bytes(partial.collected, report: report)
        }
        let missing = partial.missing
        state.partial = partial
        if state.isFinished {
            throw Libp2pError(.malformedFrame, "stream ended \(missing) bytes before the end of a message")
        }
        return .empty(report: report)
    }

    private func drop(_ count: Int, _ state: inout State) {
        var remaining = count
        while remaining > 0, var first = state.chunks.first {
            let length = min(remaining, first.readableBytes)
            first.moveReaderIndex(forwardBy: length)
            if first.readableBytes == 0 {
                state.chunks.removeFirst()
            } else {
                state.chunks[state.chunks.startIndex] = first
            }
            remaining -= length
        }
        // Counted as consumed; reported together with the message body that follows.
        self.adjust(&state, by: -count)
        state.unreported += count
    }

    private func consume(_ count: Int, _ state: inout State) -> Int {
        self.adjust(&state, by: -count)
        state.unreported += count
        guard state.unreported >= self.reportThreshold else { return 0 }
        return Self.flush(&state)
    }

    /// Changes the count of unread bytes, here and in the connection's total.
    private func adjust(_ state: inout State, by delta: Int) {
        guard delta != 0 else { return }
        state.buffered += delta
        self.usage?.addUnread(delta)
    }

    private static func flush(_ state: inout State) -> Int {
        defer { state.unreported = 0 }
        return state.unreported
    }
}
