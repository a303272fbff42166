package import NIOCore

/// Splits bytes into Noise frames: `u16 big-endian length ‖ message` (PROTOCOLS.md §7.3).
///
/// Emits each message without its length. Handshake messages and transport messages use the same
/// framing; the 65535-byte limit is the largest a u16 can express.
package struct NoiseFrameDecoder: FrameSplitter {
    package typealias InboundOut = ByteBuffer

    /// A decoder.
    package init() {}

    package mutating func nextFrame(from buffer: inout ByteBuffer) -> ByteBuffer? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
            buffer.readableBytes >= 2 + Int(length),
            let message = buffer.getSlice(at: buffer.readerIndex + 2, length: Int(length))
        else {
            return nil
        }
        buffer.moveReaderIndex(forwardBy: 2 + Int(length))
        return message
    }
}
