internal import NIOCore
internal import Synchronization

/// Identifies a stream inside one muxed connection.
///
/// yamux ids are unique per connection; mplex ids are unique per opening side, hence the flag.
struct StreamKey: Hashable, Sendable, CustomStringConvertible {
    let id: UInt64
    /// Whether we opened the stream.
    let isLocal: Bool

    var description: String { "\(self.id)\(self.isLocal ? "o" : "i")" }
}

/// What a muxer (yamux or mplex) does for its streams. Every call happens on the connection's
/// event loop; ``MuxerHandle`` brings calls from async code there.
protocol MuxerSession: AnyObject {
    /// Opens an outbound stream.
    func openStream(promise: EventLoopPromise<MuxedStream>)
    /// Queues bytes on a stream; the promise completes when they are handed to the connection,
    /// which may wait for the peer's flow-control window and for the socket to drain.
    func write(_ key: StreamKey, _ bytes: ByteBuffer, promise: EventLoopPromise<Void>)
    /// Half-closes a stream after its queued bytes (FIN).
    func closeWrite(_ key: StreamKey, promise: EventLoopPromise<Void>)
    /// Resets a stream in both directions.
    func reset(_ key: StreamKey)
    /// The reader took `bytes` out of the stream's buffer.
    func consumed(_ key: StreamKey, bytes: Int)
    /// Ends the whole connection gracefully (yamux Go Away), failing every stream.
    func shutdown()
}

/// A Sendable handle on a connection's muxer: runs each call on the connection's event loop.
final class MuxerHandle: Sendable {
    let eventLoop: any EventLoop
    private let session: NIOLoopBound<any MuxerSession>

    /// Must be created on `eventLoop`.
    init(_ session: any MuxerSession, eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        self.session = NIOLoopBound(session, eventLoop: eventLoop)
    }

    func openStream() async throws -> MuxedStream {
        let promise = self.eventLoop.makePromise(of: MuxedStream.self)
        self.eventLoop.execute { self.session.value.openStream(promise: promise) }
        return try await promise.futureResult.get()
    }

    /// Queues a write; `completion` runs on the event loop once the bytes are handed over or failed.
    func write(
        _ key: StreamKey,
        _ bytes: ByteBuffer,
        completion: @escaping @Sendable (Result<Void, any Error>) -> Void
    ) -> EventLoopFuture<Void> {
        let promise = self.eventLoop.makePromise(of: Void.self)
        self.eventLoop.execute {
            promise.futureResult.whenComplete(completion)
            self.session.value.write(key, bytes, promise: promise)
        }
        return promise.futureResult
    }

    func closeWrite(_ key: StreamKey) async throws {
        let promise = self.eventLoop.makePromise(of: Void.self)
        self.eventLoop.execute { self.session.value.closeWrite(key, promise: promise) }
        try await promise.futureResult.get()
    }

    func reset(_ key: StreamKey) {
        self.eventLoop.execute { self.session.value.reset(key) }
    }

    func consumed(_ key: StreamKey, bytes: Int) {
        guard bytes > 0 else { return }
        self.eventLoop.execute { self.session.value.consumed(key, bytes: bytes) }
    }

    func shutdown() {
        self.eventLoop.execute { self.session.value.shutdown() }
    }
}

/// One muxed stream before (or beneath) protocol negotiation: its key, its inbound buffer, and
/// the muxer to write through.
///
/// Writes do not wait for the event loop while less than ``unacknowledgedLimit`` bytes are on
/// their way to the connection: a small request costs one thread hop instead of two. Past that, a
/// write waits until its bytes are handed over, so a slow peer still stops a fast writer. A failed
/// write is reported by the next write or close.
final class MuxedStream: Sendable {
    let key: StreamKey
    let buffer: StreamBuffer
    let muxer: MuxerHandle
    private let writes = Mutex<(inFlight: Int, failure: Libp2pError?)>((0, nil))

    /// Bytes that may be queued towards the event loop without waiting.
    static let unacknowledgedLimit = 64 * 1024

    init(key: StreamKey, buffer: StreamBuffer, muxer: MuxerHandle) {
        self.key = key
        self.buffer = buffer
        self.muxer = muxer
    }

    func write(_ bytes: ByteBuffer) async throws {
        let count = bytes.readableBytes
        let mustWait = try self.writes.withLock { (state) throws(Libp2pError) -> Bool in
            if let failure = state.failure { throw failure }
            state.inFlight += count
            return state.inFlight > Self.unacknowledgedLimit
        }
        let future = self.muxer.write(self.key, bytes) { result in
            self.writes.withLock { state in
                state.inFlight -= count
                if case .failure(let error) = result, state.failure == nil {
                    state.failure = error as? Libp2pError ?? Libp2pError(.connectionClosed, "\(error)")
                }
            }
        }
        if mustWait { try await future.get() }
    }

    /// Half-closes after every queued write; throws if one of them failed.
    func closeWrite() async throws {
        try await self.muxer.closeWrite(self.key)
        if let failure = self.writes.withLock({ $0.failure }) { throw failure }
    }
}
