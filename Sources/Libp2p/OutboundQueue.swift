internal import NIOCore

/// Bytes queued on a stream, waiting for window or socket space.
struct PendingWrite {
    var bytes: ByteBuffer
    let promise: EventLoopPromise<Void>
    let deadline: NIODeadline
}

/// What one stream has to send: writes waiting for flow-control window or socket space, then the
/// half-close asked for once they are all out. The same for yamux and mplex.
struct OutboundQueue {
    private var pending = CircularBuffer<PendingWrite>()
    private var closePromise: EventLoopPromise<Void>?
    /// `closeWrite` was asked for: no more writes are taken.
    private(set) var isWriteClosed = false
    /// The half-close (yamux FIN, mplex Close) went out.
    private(set) var isCloseSent = false

    /// Whether writes are waiting.
    var hasPendingWrites: Bool { !self.pending.isEmpty }

    /// Whether the oldest waiting write has passed its deadline.
    func hasExpired(at now: NIODeadline) -> Bool {
        self.pending.first.map { $0.deadline <= now } ?? false
    }

    /// Queues a write; false (and nothing queued) once the stream is closed for writing.
    mutating func enqueue(_ write: PendingWrite) -> Bool {
        guard !self.isWriteClosed else { return false }
        self.pending.append(write)
        return true
    }

    /// Asks for the half-close after the queued writes; false if it was asked for before.
    mutating func closeWrite(promise: EventLoopPromise<Void>) -> Bool {
        guard !self.isWriteClosed else { return false }
        self.isWriteClosed = true
        self.closePromise = promise
        return true
    }

    /// Takes up to `maximum` bytes off the first waiting write; with them, that write's promise
    /// when they were its last bytes.
    mutating func nextChunk(maximum: Int) -> (bytes: ByteBuffer, completed: EventLoopPromise<Void>?)? {
        guard maximum > 0, var first = self.pending.first,
            let chunk = first.bytes.readSlice(length: min(maximum, first.bytes.readableBytes))
        else { return nil }
        if first.bytes.readableBytes == 0 {
            self.pending.removeFirst()
            return (chunk, first.promise)
        }
        self.pending[self.pending.startIndex] = first
        return (chunk, nil)
    }

    /// When the half-close is due (asked for, every write out, not yet sent): marks it sent and
    /// returns the promise to complete once it is written.
    mutating func takeDueClose() -> EventLoopPromise<Void>? {
        guard self.isWriteClosed, !self.isCloseSent, self.pending.isEmpty else { return nil }
        self.isCloseSent = true
        defer { self.closePromise = nil }
        return self.closePromise
    }

    /// Empties the queue, returning every promise still waiting (to fail).
    mutating func drop() -> [EventLoopPromise<Void>] {
        var promises = self.pending.map(\.promise)
        self.pending.removeAll()
        if let close = self.closePromise.take() { promises.append(close) }
        return promises
    }
}
