package import NIOCore

/// One yamux frame (PROTOCOLS.md §7.4): a 12-byte big-endian header and, for Data, the payload.
package struct YamuxFrame: Equatable, Sendable {
    /// The frame type.
    package enum FrameType: UInt8, Sendable {
        case data = 0
        case windowUpdate = 1
        case ping = 2
        case goAway = 3
    }

    /// The header flags.
    package struct Flags: OptionSet, Hashable, Sendable {
        package let rawValue: UInt16
        package init(rawValue: UInt16) { self.rawValue = rawValue }

        /// Opens a stream.
        package static let syn = Flags(rawValue: 0x1)
        /// Accepts a stream (or answers a ping).
        package static let ack = Flags(rawValue: 0x2)
        /// Half-closes a stream.
        package static let fin = Flags(rawValue: 0x4)
        /// Resets a stream.
        package static let rst = Flags(rawValue: 0x8)
    }

    /// Go Away codes.
    package enum GoAwayCode: UInt32, Sendable {
        case normal = 0
        case protocolError = 1
        case internalError = 2
    }

    /// The frame type.
    package var type: FrameType
    /// The flags.
    package var flags: Flags
    /// The stream id (0 for the session: ping and go away).
    package var streamID: UInt32
    /// Data: payload length; Window Update: increment; Ping: opaque value; Go Away: code.
    package var length: UInt32
    /// The payload of a Data frame (empty otherwise).
    package var payload: ByteBuffer

    /// The header size.
    package static let headerLength = 12

    /// A frame; for Data, `length` is taken from the payload.
    package init(
        _ type: FrameType,
        flags: Flags = [],
        streamID: UInt32,
        length: UInt32 = 0,
        payload: ByteBuffer = ByteBuffer()
    ) {
        self.type = type
        self.flags = flags
        self.streamID = streamID
        self.length = type == .data ? UInt32(payload.readableBytes) : length
        self.payload = payload
    }

    /// Writes the header (and the payload, if any) into `buffer`.
    package func write(to buffer: inout ByteBuffer) {
        Self.writeHeader(self.type, flags: self.flags, streamID: self.streamID, length: self.length, to: &buffer)
        buffer.writeImmutableBuffer(self.payload)
    }

    /// Writes only a 12-byte header.
    package static func writeHeader(
        _ type: FrameType,
        flags: Flags,
        streamID: UInt32,
        length: UInt32,
        to buffer: inout ByteBuffer
    ) {
        buffer.writeInteger(UInt8(0))
        buffer.writeInteger(type.rawValue)
        buffer.writeInteger(flags.rawValue)
        buffer.writeInteger(streamID)
        buffer.writeInteger(length)
    }
}

/// Splits bytes into yamux frames, checking the version, type and flags of every header.
///
/// Data payloads larger than `maximumPayload` are refused before they are buffered: no legitimate
/// peer sends more than its flow-control window allows in one frame.
package struct YamuxFrameDecoder: FrameSplitter {
    package typealias InboundOut = YamuxFrame

    private let maximumPayload: Int

    /// A decoder refusing Data frames longer than `maximumPayload`.
    package init(maximumPayload: Int) {
        self.maximumPayload = maximumPayload
    }

    package mutating func nextFrame(from buffer: inout ByteBuffer) throws -> YamuxFrame? {
        try Self.readFrame(from: &buffer, maximumPayload: self.maximumPayload)
    }

    /// Reads one frame, consuming it only when complete.
    static func readFrame(from buffer: inout ByteBuffer, maximumPayload: Int) throws(Libp2pError) -> YamuxFrame? {
        let start = buffer.readerIndex
        guard buffer.readableBytes >= YamuxFrame.headerLength,
            let version = buffer.getInteger(at: start, as: UInt8.self),
            let rawType = buffer.getInteger(at: start + 1, as: UInt8.self),
            let rawFlags = buffer.getInteger(at: start + 2, as: UInt16.self),
            let streamID = buffer.getInteger(at: start + 4, as: UInt32.self),
            let length = buffer.getInteger(at: start + 8, as: UInt32.self)
        else { return nil }
        guard version == 0 else { throw Libp2pError(.malformedFrame, "yamux version \(version), expected 0") }
        guard let type = YamuxFrame.FrameType(rawValue: rawType) else {
            throw Libp2pError(.malformedFrame, "unknown yamux frame type \(rawType)")
        }
        guard rawFlags <= 0xf else {
            throw Libp2pError(.malformedFrame, "unknown yamux flags 0x\(String(rawFlags, radix: 16))")
        }
        var payload = ByteBuffer()
        if type == .data {
            guard length <= UInt32(self.clamp(maximumPayload)) else {
                throw Libp2pError(.frameTooLarge, "yamux data frame of \(length) bytes exceeds \(maximumPayload)")
            }
            guard buffer.readableBytes >= YamuxFrame.headerLength + Int(length) else { return nil }
            payload = buffer.getSlice(at: start + YamuxFrame.headerLength, length: Int(length)) ?? ByteBuffer()
        }
        buffer.moveReaderIndex(forwardBy: YamuxFrame.headerLength + Int(type == .data ? length : 0))
        return YamuxFrame(
            type,
            flags: YamuxFrame.Flags(rawValue: rawFlags),
            streamID: streamID,
            length: length,
            payload: payload
        )
    }

    private static func clamp(_ value: Int) -> Int { min(value, Int(UInt32.max)) }
}
