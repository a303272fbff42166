internal import NIOCore

/// The decisions of an mplex session (PROTOCOLS.md §7.5), the fallback muxer, without a channel:
/// frames and calls go in, ``MuxerAction``s come out, and ``MuxerHandler`` performs them.
///
/// mplex has no flow control, so back-pressure works on the socket: while any stream holds more
/// than ``MuxerConfiguration/mplexBufferLimit`` bytes its reader has not reported taking,
/// ``isReadPaused`` holds the connection's reads back, until the reader catches up. Streams beyond
/// ``MuxerConfiguration/maximumStreams`` are reset, and so is a stream whose data would take the
/// connection's unread bytes past ``MuxerConfiguration/maximumUnreadBytes``.
struct MplexStateMachine: MuxerStateMachine {
    typealias Action = MuxerAction<MplexFrame>

    /// Largest data frame we send; smaller than nim's 1 MiB limit so streams interleave fairly.
    static let chunkSize = 64 * 1024

    /// Per stream: bytes delivered that the reader has not reported taking.
    private var table: StreamTable<Int, MplexFrame>
    private var nextStreamID: UInt64 = 1
    private let configuration: MuxerConfiguration
    private var overLimit: Set<StreamKey> = []
    private(set) var isClosing = false

    /// A session at `now`.
    init(configuration: MuxerConfiguration, now: NIODeadline) {
        self.configuration = configuration
        self.table = StreamTable(now: now)
    }

    // No window to grant: reports only tell us when a paused connection may be read again.
    var reportThreshold: Int { 16 * 1024 }
    var streamCount: Int { self.table.count }
    var idleSince: NIODeadline? { self.table.idleSince }
    var isReadPaused: Bool { !self.overLimit.isEmpty }
    var streamsToDrain: [StreamKey] { self.table.streamsToDrain }

    // MARK: - Inputs

    mutating func receive(_ frame: MplexFrame, unreadBytes: Int) -> [Action] {
        // Receiver-variant frames come from the side that did not open the stream: it is ours.
        let flag = frame.flag
        let isLocal = flag == .messageReceiver || flag == .closeReceiver || flag == .resetReceiver
        let key = StreamKey(id: frame.streamID, isLocal: isLocal)
        switch flag {
        case .newStream:
            guard self.table.streams[key] == nil else {
                return self.protocolError(
                    Libp2pError(.protocolViolation, "peer reopened mplex stream \(frame.streamID)")
                )
            }
            guard !self.isClosing, self.table.count < self.configuration.maximumStreams else {
                return [.send(MplexFrame(streamID: frame.streamID, flag: .resetReceiver))]
            }
            self.table.insert(key, extra: 0)
            return [.accept(key)]
        case .messageReceiver, .messageInitiator:
            let count = frame.payload.readableBytes
            guard let stream = self.table.streams[key], !stream.isRemoteClosed, count > 0 else { return [] }
            guard unreadBytes + count <= self.configuration.maximumUnreadBytes else {
                return [.send(self.reset(key))]
                    + self.removing(key, failing: self.configuration.unreadCapReached)
            }
            self.table.streams[key]?.extra += count
            if stream.extra + count > self.configuration.mplexBufferLimit { self.overLimit.insert(key) }
            return [.deliver(frame.payload, to: key)]
        case .closeReceiver, .closeInitiator:
            return self.table.remoteClosed(key) + self.resumeIfGone(key)
        case .resetReceiver, .resetInitiator:
            return self.removing(key, failing: Libp2pError(.streamReset, "stream reset by the peer"))
        }
    }

    mutating func openStream() -> Result<(StreamKey, [Action]), Libp2pError> {
        guard !self.isClosing else { return .failure(Libp2pError(.connectionClosed, "connection is closing")) }
        guard self.table.count < self.configuration.maximumStreams else {
            return .failure(
                Libp2pError(
                    .limitReached,
                    "\(self.configuration.maximumStreams) streams already open on this connection"
                )
            )
        }
        let key = StreamKey(id: self.nextStreamID, isLocal: true)
        self.nextStreamID += 1
        self.table.insert(key, extra: 0)
        var name = ByteBuffer()
        name.writeString(String(key.id))  // go-mplex names streams after their id
        return .success((key, [.send(MplexFrame(streamID: key.id, flag: .newStream, payload: name))]))
    }

    mutating func write(
        _ key: StreamKey,
        _ bytes: ByteBuffer,
        promise: EventLoopPromise<Void>,
        deadline: NIODeadline
    ) -> [Action] {
        self.table.write(key, bytes, promise: promise, deadline: deadline)
    }

    mutating func closeWrite(_ key: StreamKey, promise: EventLoopPromise<Void>) -> [Action] {
        self.table.closeWrite(key, promise: promise)
    }

    mutating func pull(_ key: StreamKey, isWritable: Bool) -> [Action]? {
        let data = Self.flag(key, initiator: .messageInitiator, receiver: .messageReceiver)
        let close = Self.flag(key, initiator: .closeInitiator, receiver: .closeReceiver)
        let pulled = self.table.pull(
            key,
            limit: Self.chunkSize,
            isWritable: isWritable,
            data: { MplexFrame(streamID: key.id, flag: data, payload: $0) },
            close: { MplexFrame(streamID: key.id, flag: close) }
        )
        return pulled.map { $0.actions + self.resumeIfGone(key) }
    }

    mutating func reset(_ key: StreamKey) -> [Action] {
        guard self.table.streams[key] != nil else { return [] }
        return [.send(self.reset(key))] + self.removing(key, failing: Libp2pError(.streamReset, "stream reset locally"))
    }

    mutating func consumed(_ key: StreamKey, bytes: Int) -> [Action] {
        guard let unread = self.table.streams[key]?.extra else { return [] }
        self.table.streams[key]?.extra = max(0, unread - bytes)
        guard unread - bytes <= self.configuration.mplexBufferLimit, self.overLimit.remove(key) != nil else {
            return []
        }
        return self.overLimit.isEmpty ? [.resumeReading] : []
    }

    mutating func tick(now: NIODeadline) -> [Action] {
        var actions: [Action] = []
        for key in self.table.expired(at: now) {
            actions.append(.send(self.reset(key)))
            actions += self.removing(key, failing: Libp2pError(.timeout, "the peer did not take our data in time"))
        }
        let idle = self.table.idleTime(at: now)
        if let limit = self.configuration.idleTimeout, idle >= limit, !self.isClosing {
            actions += self.close(Libp2pError(.connectionClosed, "no stream for \(idle.nanoseconds / 1_000_000) ms"))
        }
        return actions
    }

    mutating func shutdown() -> [Action] {
        guard !self.isClosing else { return [] }
        return self.close(nil)
    }

    mutating func connectionEnded() -> [Action] {
        self.isClosing = true
        self.overLimit.removeAll()
        return self.table.removeAll(failing: Libp2pError(.connectionClosed, "connection closed"))
    }

    // MARK: - Private

    private static func flag(_ key: StreamKey, initiator: MplexFrame.Flag, receiver: MplexFrame.Flag) -> MplexFrame.Flag
    {
        key.isLocal ? initiator : receiver
    }

    private func reset(_ key: StreamKey) -> MplexFrame {
        MplexFrame(streamID: key.id, flag: Self.flag(key, initiator: .resetInitiator, receiver: .resetReceiver))
    }

    /// Removes a stream; reading resumes if it was the last one holding it back.
    private mutating func removing(_ key: StreamKey, failing error: Libp2pError) -> [Action] {
        self.table.remove(key, failing: error) + self.resumeIfGone(key)
    }

    /// When `key` left the table while it held reads back, and no other stream does: resume.
    private mutating func resumeIfGone(_ key: StreamKey) -> [Action] {
        guard self.table.streams[key] == nil, self.overLimit.remove(key) != nil, self.overLimit.isEmpty else {
            return []
        }
        return [.resumeReading]
    }

    private mutating func protocolError(_ error: Libp2pError) -> [Action] {
        guard !self.isClosing else { return [] }
        self.isClosing = true
        self.overLimit.removeAll()
        return self.table.removeAll(failing: error) + [.closeConnection(error)]
    }

    /// Every stream failed, the connection closed (mplex has no Go Away).
    private mutating func close(_ reason: Libp2pError?) -> [Action] {
        self.isClosing = true
        self.overLimit.removeAll()
        return self.table.removeAll(failing: reason ?? Libp2pError(.connectionClosed, "connection closed by us"))
            + [.closeConnection(reason)]
    }
}
