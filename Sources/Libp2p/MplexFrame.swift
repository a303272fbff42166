package import NIOCore

/// One mplex frame (PROTOCOLS.md §7.5): `uvarint(id << 3 | flag) ‖ uvarint(length) ‖ data`.
package struct MplexFrame: Equatable, Sendable {
    /// The frame flag. "Initiator" variants are sent by the side that opened the stream.
    package enum Flag: UInt8, Sendable {
        case newStream = 0
        case messageReceiver = 1
        case messageInitiator = 2
        case closeReceiver = 3
        case closeInitiator = 4
        case resetReceiver = 5
        case resetInitiator = 6
    }

    /// The stream id, unique per opening side.
    package var streamID: UInt64
    /// The flag.
    package var flag: Flag
    /// The data (the stream name for NewStream).
    package var payload: ByteBuffer

    /// nim-libp2p's largest accepted frame payload (1 MiB).
    package static let maximumPayload = 1 << 20

    /// A frame.
    package init(streamID: UInt64, flag: Flag, payload: ByteBuffer = ByteBuffer()) {
        self.streamID = streamID
        self.flag = flag
        self.payload = payload
    }

    /// Writes the frame's two varints into `buffer` (the payload is written separately).
    package func writeHeader(to buffer: inout ByteBuffer) {
        UVarint.write(self.streamID << 3 | UInt64(self.flag.rawValue), to: &buffer)
        UVarint.write(UInt64(self.payload.readableBytes), to: &buffer)
    }
}

/// Splits bytes into mplex frames, refusing unknown flags and payloads above 1 MiB.
package struct MplexFrameDecoder: FrameSplitter {
    package typealias InboundOut = MplexFrame

    /// A decoder.
    package init() {}

    package mutating func nextFrame(from buffer: inout ByteBuffer) throws -> MplexFrame? {
        try Self.readFrame(from: &buffer)
    }

    /// Reads one frame, consuming it only when complete.
    static func readFrame(from buffer: inout ByteBuffer) throws(Libp2pError) -> MplexFrame? {
        let bytes = buffer.readableBytesView
        guard case .value(let header, let headerLength) = try UVarint.peek(bytes) else { return nil }
        guard case .value(let length, let lengthLength) = try UVarint.peek(bytes.dropFirst(headerLength)) else {
            return nil
        }
        guard let flag = MplexFrame.Flag(rawValue: UInt8(header & 7)) else {
            throw Libp2pError(.malformedFrame, "unknown mplex flag \(header & 7)")
        }
        guard length <= UInt64(MplexFrame.maximumPayload) else {
            throw Libp2pError(.frameTooLarge, "mplex frame of \(length) bytes exceeds \(MplexFrame.maximumPayload)")
        }
        let total = headerLength + lengthLength + Int(length)
        guard buffer.readableBytes >= total else { return nil }
        buffer.moveReaderIndex(forwardBy: headerLength + lengthLength)
        let payload = buffer.readSlice(length: Int(length)) ?? ByteBuffer()
        return MplexFrame(streamID: header >> 3, flag: flag, payload: payload)
    }
}
