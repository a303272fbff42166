internal import NIOCore

/// The decisions of a yamux session (PROTOCOLS.md §7.4), without a channel: frames and calls go
/// in, ``MuxerAction``s come out, and ``MuxerHandler`` performs them.
///
/// Flow control: we never send more than the window the peer granted, starting from nim-libp2p's
/// 256000; we accept up to the spec's 262144 (py-libp2p assumes it) plus what we granted, and grant
/// more as the reader consumes. A peer overrunning its window, opening a stream with our id parity,
/// or sending garbage gets a Go Away (protocol error) and the connection is closed. Streams beyond
/// ``MuxerConfiguration/maximumStreams`` are refused with RST, and so is a stream whose data would
/// take the connection's unread bytes past ``MuxerConfiguration/maximumUnreadBytes``.
struct YamuxStateMachine: MuxerStateMachine {
    typealias Action = MuxerAction<YamuxFrame>

    /// Per-stream flow control: what we may still send, what the peer may still send us.
    struct Windows {
        var send = MuxerConfiguration.nimWindow
        var receive: Int
    }

    private var table: StreamTable<Windows, YamuxFrame>
    private var nextStreamID: UInt32
    private let configuration: MuxerConfiguration
    private(set) var isClosing = false

    /// A session at `now`; the connection's dialer uses odd stream ids, the listener even ones.
    init(isDialer: Bool, configuration: MuxerConfiguration, now: NIODeadline) {
        self.nextStreamID = isDialer ? 1 : 2
        self.configuration = configuration
        self.table = StreamTable(now: now)
    }

    private var receiveWindow: Int { max(self.configuration.receiveWindow, MuxerConfiguration.specWindow) }

    var reportThreshold: Int { self.receiveWindow / 2 }
    var streamCount: Int { self.table.count }
    var idleSince: NIODeadline? { self.table.idleSince }
    var isReadPaused: Bool { false }
    var streamsToDrain: [StreamKey] { self.table.streamsToDrain }

    /// The window we grant beyond the spec's initial one, with SYN and ACK.
    private var extraWindow: UInt32 { UInt32(self.receiveWindow - MuxerConfiguration.specWindow) }

    // MARK: - Inputs

    mutating func receive(_ frame: YamuxFrame, unreadBytes: Int) -> [Action] {
        switch frame.type {
        case .ping:
            return frame.flags.contains(.syn)
                ? [.send(YamuxFrame(.ping, flags: .ack, streamID: 0, length: frame.length))] : []
        case .goAway:
            // nim-libp2p stops reading on Go Away and closes; so do we.
            self.isClosing = true
            let error = Libp2pError(.connectionClosed, "peer sent Go Away (code \(frame.length))")
            return self.table.removeAll(failing: error) + [.closeConnection(nil)]
        case .data, .windowUpdate:
            do {
                return try self.receiveStreamFrame(frame, unreadBytes: unreadBytes)
            } catch {
                return self.protocolError(error)
            }
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
        guard self.nextStreamID < UInt32.max - 2 else {
            return .failure(Libp2pError(.limitReached, "yamux stream ids exhausted on this connection"))
        }
        let id = self.nextStreamID
        self.nextStreamID += 2
        let key = StreamKey(id: UInt64(id), isLocal: true)
        self.table.insert(key, extra: Windows(receive: self.receiveWindow))
        // nim-libp2p opens with Window Update + SYN; the length grants window beyond the spec's.
        return .success((key, [.send(YamuxFrame(.windowUpdate, flags: .syn, streamID: id, length: self.extraWindow))]))
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
        guard let window = self.table.streams[key]?.extra.send else { return nil }
        let id = UInt32(key.id)
        guard
            let (actions, sent) = self.table.pull(
                key,
                limit: window,
                isWritable: isWritable,
                data: { YamuxFrame(.data, streamID: id, payload: $0) },
                close: { YamuxFrame(.data, flags: .fin, streamID: id) }
            )
        else { return nil }
        self.table.streams[key]?.extra.send -= sent
        return actions
    }

    mutating func reset(_ key: StreamKey) -> [Action] {
        guard self.table.streams[key] != nil else { return [] }
        return [.send(Self.reset(key))]
            + self.table.remove(key, failing: Libp2pError(.streamReset, "stream reset locally"))
    }

    mutating func consumed(_ key: StreamKey, bytes: Int) -> [Action] {
        guard let stream = self.table.streams[key], !stream.isRemoteClosed else { return [] }
        self.table.streams[key]?.extra.receive += bytes
        return [.send(YamuxFrame(.windowUpdate, streamID: UInt32(key.id), length: UInt32(bytes)))]
    }

    mutating func tick(now: NIODeadline) -> [Action] {
        var actions: [Action] = []
        for key in self.table.expired(at: now) {
            actions.append(.send(Self.reset(key)))
            actions += self.table.remove(key, failing: Libp2pError(.timeout, "the peer did not take our data in time"))
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
        return self.table.removeAll(failing: Libp2pError(.connectionClosed, "connection closed"))
    }

    // MARK: - Private

    private mutating func receiveStreamFrame(_ frame: YamuxFrame, unreadBytes: Int) throws(Libp2pError) -> [Action] {
        let id = frame.streamID
        guard id != 0 else { throw Libp2pError(.protocolViolation, "yamux stream frame on stream 0") }
        let key = StreamKey(id: UInt64(id), isLocal: id % 2 == self.nextStreamID % 2)
        var actions: [Action] = []
        if frame.flags.contains(.syn) && self.table.streams[key] == nil {
            guard !key.isLocal else {
                throw Libp2pError(.protocolViolation, "peer opened stream \(id), which has our id parity")
            }
            guard !self.isClosing, self.table.count < self.configuration.maximumStreams else {
                return [.send(YamuxFrame(.windowUpdate, flags: .rst, streamID: id))]
            }
            self.table.insert(key, extra: Windows(receive: self.receiveWindow))
            actions += [
                .send(YamuxFrame(.windowUpdate, flags: .ack, streamID: id, length: self.extraWindow)), .accept(key),
            ]
        }
        // Frames for streams we no longer track (reset by us, or fully closed) are dropped.
        guard let stream = self.table.streams[key] else { return actions }
        if frame.type == .windowUpdate {
            guard stream.extra.send + Int(frame.length) <= Int(UInt32.max) else {
                throw Libp2pError(.protocolViolation, "window of stream \(id) grown beyond 2^32 − 1")
            }
            self.table.streams[key]?.extra.send += Int(frame.length)
        } else if frame.payload.readableBytes > 0 {
            let count = frame.payload.readableBytes
            guard count <= stream.extra.receive else {
                throw Libp2pError(
                    .protocolViolation,
                    "peer sent \(count) bytes on stream \(id) with only \(stream.extra.receive) bytes of window"
                )
            }
            self.table.streams[key]?.extra.receive -= count
            if !stream.isRemoteClosed {
                guard unreadBytes + count <= self.configuration.maximumUnreadBytes else {
                    return actions + [.send(Self.reset(key))]
                        + self.table.remove(key, failing: self.configuration.unreadCapReached)
                }
                actions.append(.deliver(frame.payload, to: key))
            }
        }
        if frame.flags.contains(.rst) {
            return actions + self.table.remove(key, failing: Libp2pError(.streamReset, "stream reset by the peer"))
        }
        if frame.flags.contains(.fin) { actions += self.table.remoteClosed(key) }
        if frame.type == .windowUpdate { actions.append(.drain(key)) }
        return actions
    }

    private mutating func protocolError(_ error: Libp2pError) -> [Action] {
        guard !self.isClosing else { return [] }
        self.isClosing = true
        return [.send(YamuxFrame(.goAway, streamID: 0, length: YamuxFrame.GoAwayCode.protocolError.rawValue))]
            + self.table.removeAll(failing: error) + [.closeConnection(error)]
    }

    /// Go Away (normal), every stream failed, the connection closed.
    private mutating func close(_ reason: Libp2pError?) -> [Action] {
        self.isClosing = true
        return [.send(YamuxFrame(.goAway, streamID: 0, length: YamuxFrame.GoAwayCode.normal.rawValue))]
            + self.table.removeAll(failing: reason ?? Libp2pError(.connectionClosed, "connection closed by us"))
            + [.closeConnection(reason)]
    }

    private static func reset(_ key: StreamKey) -> YamuxFrame {
        YamuxFrame(.data, flags: .rst, streamID: UInt32(key.id))
    }

}
