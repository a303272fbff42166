package import NIOCore

/// Splits bytes into Noise frames: `u16 big-endian length ‖ message` (PROTOCOLS.md §7.3).
///
/// Emits each message without its length. Handshake messages and transport messages use the same
/// framing; the 65535-byte limit is the largest a u16 can express.
package struct NoiseFrameDecoder: ByteToMessageDecoder {
    package typealias InboundOut = ByteBuffer

    /// A decoder.
    package init() {}

    package mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
            buffer.readableBytes >= 2 + Int(length),
            let message = buffer.getSlice(at: buffer.readerIndex + 2, length: Int(length))
        else {
            return .needMoreData
        }
        buffer.moveReaderIndex(forwardBy: 2 + Int(length))
        context.fireChannelRead(Self.wrapInboundOut(message))
        return .continue
    }

    package mutating func decodeLast(
        context: ChannelHandlerContext,
        buffer: inout ByteBuffer,
        seenEOF: Bool
    ) throws -> DecodingState {
        // A partial frame at EOF is dropped: the connection is closing anyway.
        .needMoreData
    }
}
