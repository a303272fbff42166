import NIOCore
import NIOEmbedded
import Testing

@testable import Libp2p

/// Promises for writes and closes, completed when a test ends (NIO traps on a leaked promise).
final class Promises {
    private var made: [EventLoopPromise<Void>] = []

    func make() -> EventLoopPromise<Void> {
        let promise = MuxerStateMachineTests.loop.makePromise(of: Void.self)
        self.made.append(promise)
        return promise
    }

    /// Completes those the machine did not (completing one twice does nothing).
    func complete() {
        for promise in self.made { promise.succeed() }
    }
}

/// The yamux and mplex state machines driven directly: frames and calls in, actions out, no channel.
@Suite("muxer state machines")
struct MuxerStateMachineTests {
    static let loop = EmbeddedEventLoop()
    static let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    static func configuration(_ change: (inout MuxerConfiguration) -> Void = { _ in }) -> MuxerConfiguration {
        var configuration = MuxerConfiguration(
            maximumStreams: 4,
            receiveWindow: 262_144,
            writeTimeout: .seconds(5),
            mplexBufferLimit: 1 << 20,
            maximumUnreadBytes: 8 << 20,
            idleTimeout: nil
        )
        change(&configuration)
        return configuration
    }

    static func bytes(_ count: Int) -> ByteBuffer { ByteBuffer(repeating: 7, count: count) }

    /// Actions as short text, so sequences compare at a glance.
    static func text<Frame>(_ actions: [MuxerAction<Frame>]) -> [String] {
        actions.map { action in
            switch action {
            case .send(let frame as YamuxFrame):
                "send \(frame.type) \(frame.flags.rawValue) #\(frame.streamID) \(frame.length)"
            case .send(let frame as MplexFrame):
                "send \(frame.flag) #\(frame.streamID) \(frame.payload.readableBytes)"
            case .send: "send ?"
            case .accept(let key): "accept \(key)"
            case .deliver(let bytes, let key): "deliver \(bytes.readableBytes) to \(key)"
            case .finish(let key): "finish \(key)"
            case .forget(let key): "forget \(key)"
            case .fail(let key, let error): "fail \(key) \(error.code)"
            case .succeed: "succeed"
            case .failPromise(_, let error): "fail promise \(error.code)"
            case .drain(let key): "drain \(key)"
            case .resumeReading: "resume reading"
            case .closeConnection(let reason): "close \(reason.map { "\($0.code)" } ?? "")"
            }
        }
    }

    /// Pulls a stream's frames until nothing more can go.
    static func drain<Machine: MuxerStateMachine>(_ machine: inout Machine, _ key: StreamKey) -> [String] {
        var sent: [String] = []
        while let actions = machine.pull(key, isWritable: true) { sent += Self.text(actions) }
        return sent
    }

    @Test("yamux: a peer's SYN is acknowledged and its data delivered, our SYN goes out with window")
    func yamuxOpen() throws {
        var machine = YamuxStateMachine(isDialer: false, configuration: Self.configuration(), now: Self.start)
        let syn = YamuxFrame(.windowUpdate, flags: .syn, streamID: 1)
        #expect(
            Self.text(machine.receive(syn, unreadBytes: 0)) == ["send windowUpdate 2 #1 0", "accept 1i", "drain 1i"]
        )
        let data = YamuxFrame(.data, streamID: 1, payload: Self.bytes(100))
        #expect(Self.text(machine.receive(data, unreadBytes: 0)) == ["deliver 100 to 1i"])
        let (key, actions) = try machine.openStream().get()
        #expect(key == StreamKey(id: 2, isLocal: true))
        #expect(Self.text(actions) == ["send windowUpdate 1 #2 0"])
        #expect(machine.streamCount == 2)
    }

    @Test("yamux: writes wait for the peer's window and go out as it grants more")
    func yamuxWindow() throws {
        let promises = Promises()
        defer { promises.complete() }
        var machine = YamuxStateMachine(isDialer: true, configuration: Self.configuration(), now: Self.start)
        let (key, _) = try machine.openStream().get()
        let promise = promises.make()
        let write = machine.write(key, Self.bytes(300_000), promise: promise, deadline: Self.start + .seconds(5))
        #expect(Self.text(write) == ["drain 1o"])
        #expect(Self.drain(&machine, key) == ["send data 0 #1 256000"])
        let update = YamuxFrame(.windowUpdate, streamID: 1, length: 50_000)
        #expect(Self.text(machine.receive(update, unreadBytes: 0)) == ["drain 1o"])
        #expect(Self.drain(&machine, key) == ["send data 0 #1 44000", "succeed"])
        // Not writable: nothing goes, the bytes stay queued.
        _ = machine.write(key, Self.bytes(10), promise: promises.make(), deadline: Self.start + .seconds(5))
        #expect(machine.pull(key, isWritable: false) == nil)
        #expect(machine.streamsToDrain == [key])
    }

    @Test("yamux: FIN goes out after the queued data; a stream closed both ways is forgotten")
    func yamuxHalfClose() throws {
        let promises = Promises()
        defer { promises.complete() }
        var machine = YamuxStateMachine(isDialer: true, configuration: Self.configuration(), now: Self.start)
        let (key, _) = try machine.openStream().get()
        _ = machine.write(key, Self.bytes(10), promise: promises.make(), deadline: Self.start + .seconds(5))
        #expect(Self.text(machine.closeWrite(key, promise: promises.make())) == ["drain 1o"])
        #expect(Self.drain(&machine, key) == ["send data 0 #1 10", "succeed", "send data 4 #1 0", "succeed"])
        let late = machine.write(key, Self.bytes(1), promise: promises.make(), deadline: Self.start)
        #expect(Self.text(late) == ["fail promise streamClosed"])
        let fin = YamuxFrame(.data, flags: .fin, streamID: 1)
        #expect(Self.text(machine.receive(fin, unreadBytes: 0)) == ["finish 1o", "forget 1o"])
        #expect(machine.streamCount == 0)
    }

    @Test("yamux: overrunning the window or opening a stream with our parity ends the session with Go Away")
    func yamuxViolations() {
        var machine = YamuxStateMachine(isDialer: false, configuration: Self.configuration(), now: Self.start)
        _ = machine.receive(YamuxFrame(.windowUpdate, flags: .syn, streamID: 1), unreadBytes: 0)
        _ = machine.receive(YamuxFrame(.data, streamID: 1, payload: Self.bytes(200_000)), unreadBytes: 0)
        let over = machine.receive(YamuxFrame(.data, streamID: 1, payload: Self.bytes(100_000)), unreadBytes: 0)
        #expect(Self.text(over) == ["send goAway 0 #0 1", "fail 1i protocolViolation", "close protocolViolation"])
        #expect(machine.isClosing)
        var other = YamuxStateMachine(isDialer: false, configuration: Self.configuration(), now: Self.start)
        let parity = other.receive(YamuxFrame(.windowUpdate, flags: .syn, streamID: 2), unreadBytes: 0)
        #expect(Self.text(parity) == ["send goAway 0 #0 1", "close protocolViolation"])
    }

    @Test("yamux: data that would take the connection's unread bytes past the cap resets that stream only")
    func yamuxUnreadCap() {
        let configuration = Self.configuration { $0.maximumUnreadBytes = 1 << 20 }
        var machine = YamuxStateMachine(isDialer: false, configuration: configuration, now: Self.start)
        for id: UInt32 in [1, 3] {
            _ = machine.receive(YamuxFrame(.windowUpdate, flags: .syn, streamID: id), unreadBytes: 0)
        }
        let fits = machine.receive(
            YamuxFrame(.data, streamID: 1, payload: Self.bytes(1000)),
            unreadBytes: (1 << 20) - 1000
        )
        #expect(Self.text(fits) == ["deliver 1000 to 1i"])
        let over = machine.receive(
            YamuxFrame(.data, streamID: 3, payload: Self.bytes(1001)),
            unreadBytes: (1 << 20) - 1000
        )
        #expect(Self.text(over) == ["send data 8 #3 0", "fail 3i limitReached"])
        #expect(machine.streamCount == 1)
        #expect(!machine.isClosing)
    }

    @Test("yamux: streams beyond the limit are refused with RST; pings are answered")
    func yamuxLimitAndPing() {
        var machine = YamuxStateMachine(isDialer: false, configuration: Self.configuration(), now: Self.start)
        for id: UInt32 in [1, 3, 5, 7] {
            _ = machine.receive(YamuxFrame(.windowUpdate, flags: .syn, streamID: id), unreadBytes: 0)
        }
        let fifth = machine.receive(YamuxFrame(.windowUpdate, flags: .syn, streamID: 9), unreadBytes: 0)
        #expect(Self.text(fifth) == ["send windowUpdate 8 #9 0"])
        #expect(throws: Libp2pError.self) { try machine.openStream().get() }
        let ping = machine.receive(YamuxFrame(.ping, flags: .syn, streamID: 0, length: 42), unreadBytes: 0)
        #expect(Self.text(ping) == ["send ping 2 #0 42"])
    }

    @Test("a write the peer does not take before its deadline resets the stream at the next tick")
    func writeDeadline() throws {
        let promises = Promises()
        defer { promises.complete() }
        var machine = YamuxStateMachine(isDialer: true, configuration: Self.configuration(), now: Self.start)
        let (key, _) = try machine.openStream().get()
        _ = machine.write(key, Self.bytes(300_000), promise: promises.make(), deadline: Self.start + .seconds(1))
        _ = Self.drain(&machine, key)
        #expect(machine.tick(now: Self.start + .milliseconds(500)).isEmpty)
        let expired = machine.tick(now: Self.start + .seconds(1))
        #expect(Self.text(expired) == ["send data 8 #1 0", "fail 1o timeout", "fail promise timeout"])
    }

    @Test(
        "an inbound session without streams for its idle timeout closes; an open stream keeps it",
        arguments: [false, true]
    )
    func idleTimeout(_ isMplex: Bool) throws {
        let configuration = Self.configuration { $0.idleTimeout = .seconds(10) }
        if isMplex {
            var machine = MplexStateMachine(configuration: configuration, now: Self.start)
            try Self.checkIdle(&machine)
        } else {
            var machine = YamuxStateMachine(isDialer: false, configuration: configuration, now: Self.start)
            try Self.checkIdle(&machine)
        }
    }

    static func checkIdle<Machine: MuxerStateMachine>(_ machine: inout Machine) throws {
        #expect(machine.tick(now: Self.start + .seconds(9)).isEmpty)
        #expect(machine.idleSince == Self.start)
        let (key, _) = try machine.openStream().get()
        #expect(machine.tick(now: Self.start + .seconds(30)).isEmpty)
        #expect(machine.idleSince == nil)
        _ = machine.reset(key)
        #expect(machine.tick(now: Self.start + .seconds(31)).isEmpty)
        #expect(machine.idleSince == Self.start + .seconds(31))
        #expect(machine.tick(now: Self.start + .seconds(40)).isEmpty)
        let closing = Self.text(machine.tick(now: Self.start + .seconds(41)))
        #expect(closing.last == "close connectionClosed")
        #expect(machine.tick(now: Self.start + .seconds(60)).isEmpty)
    }

    @Test("mplex: a stream holding more than the buffer limit pauses reads until its reader catches up")
    func mplexPause() {
        let configuration = Self.configuration { $0.mplexBufferLimit = 100_000 }
        var machine = MplexStateMachine(configuration: configuration, now: Self.start)
        #expect(Self.text(machine.receive(MplexFrame(streamID: 3, flag: .newStream), unreadBytes: 0)) == ["accept 3i"])
        let data = MplexFrame(streamID: 3, flag: .messageInitiator, payload: Self.bytes(60_000))
        #expect(Self.text(machine.receive(data, unreadBytes: 0)) == ["deliver 60000 to 3i"])
        #expect(!machine.isReadPaused)
        _ = machine.receive(data, unreadBytes: 60_000)
        #expect(machine.isReadPaused)
        let key = StreamKey(id: 3, isLocal: false)
        #expect(machine.consumed(key, bytes: 10_000).isEmpty)
        #expect(Self.text(machine.consumed(key, bytes: 20_000)) == ["resume reading"])
        #expect(!machine.isReadPaused)
        // A reset stream no longer holds reads back.
        _ = machine.receive(data, unreadBytes: 0)
        _ = machine.receive(data, unreadBytes: 0)
        #expect(machine.isReadPaused)
        #expect(Self.text(machine.reset(key)) == ["send resetReceiver #3 0", "fail 3i streamReset", "resume reading"])
    }

    @Test("mplex: data over the connection's unread cap resets the stream; a reopened stream is a violation")
    func mplexCapAndReopen() {
        let configuration = Self.configuration { $0.maximumUnreadBytes = 100 }
        var machine = MplexStateMachine(configuration: configuration, now: Self.start)
        _ = machine.receive(MplexFrame(streamID: 1, flag: .newStream), unreadBytes: 0)
        let data = MplexFrame(streamID: 1, flag: .messageInitiator, payload: Self.bytes(60))
        #expect(
            Self.text(machine.receive(data, unreadBytes: 60)) == ["send resetReceiver #1 0", "fail 1i limitReached"]
        )
        _ = machine.receive(MplexFrame(streamID: 2, flag: .newStream), unreadBytes: 0)
        let again = machine.receive(MplexFrame(streamID: 2, flag: .newStream), unreadBytes: 0)
        #expect(Self.text(again) == ["fail 2i protocolViolation", "close protocolViolation"])
    }

    @Test("mplex: our writes go out in 64 KiB frames, then the close; a peer reset fails what is queued")
    func mplexWrites() throws {
        let promises = Promises()
        defer { promises.complete() }
        var machine = MplexStateMachine(configuration: Self.configuration(), now: Self.start)
        let (key, opening) = try machine.openStream().get()
        #expect(Self.text(opening) == ["send newStream #1 1"])
        _ = machine.write(key, Self.bytes(100_000), promise: promises.make(), deadline: Self.start + .seconds(5))
        _ = machine.closeWrite(key, promise: promises.make())
        #expect(
            Self.drain(&machine, key) == [
                "send messageInitiator #1 65536", "send messageInitiator #1 34464", "succeed",
                "send closeInitiator #1 0", "succeed",
            ]
        )
        let (second, _) = try machine.openStream().get()
        _ = machine.write(second, Self.bytes(10), promise: promises.make(), deadline: Self.start + .seconds(5))
        let reset = machine.receive(MplexFrame(streamID: 2, flag: .resetReceiver), unreadBytes: 0)
        #expect(Self.text(reset) == ["fail 2o streamReset", "fail promise streamReset"])
    }
}
