package import NIOCore

/// A decoder that cuts whole frames off the front of the received bytes. Ours (Noise,
/// multistream, yamux, mplex) differ only in how one frame is read.
package protocol FrameSplitter: ByteToMessageDecoder {
    /// Reads one frame, consuming it only when it is complete; nil when more bytes are needed.
    mutating func nextFrame(from buffer: inout ByteBuffer) throws -> InboundOut?
}

extension FrameSplitter {
    package mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try self.nextFrame(from: &buffer) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    /// A partial frame at EOF is dropped: the connection is closing anyway.
    package mutating func decodeLast(
        context: ChannelHandlerContext,
        buffer: inout ByteBuffer,
        seenEOF: Bool
    ) throws -> DecodingState {
        .needMoreData
    }
}
