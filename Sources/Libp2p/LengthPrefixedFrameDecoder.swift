package import NIOCore

/// Splits bytes into uvarint-length-prefixed messages (PROTOCOLS.md §0), as multistream-select uses.
///
/// Emits each message's payload. When the handler is removed from the pipeline (the negotiation is
/// over), the bytes that follow the last message are passed on untouched to the next protocol.
package struct LengthPrefixedFrameDecoder: FrameSplitter {
    package typealias InboundOut = ByteBuffer

    private let maximumLength: Int

    /// A decoder that refuses messages longer than `maximumLength` bytes.
    package init(maximumLength: Int) {
        self.maximumLength = maximumLength
    }

    package mutating func nextFrame(from buffer: inout ByteBuffer) throws -> ByteBuffer? {
        try Self.readMessage(from: &buffer, maximumLength: self.maximumLength)
    }

    package mutating func decodeLast(
        context: ChannelHandlerContext,
        buffer: inout ByteBuffer,
        seenEOF: Bool
    ) throws -> DecodingState {
        // Not at EOF means the handler is being removed: the rest belongs to the next protocol.
        if !seenEOF && buffer.readableBytes > 0 {
            context.fireChannelRead(Self.wrapInboundOut(buffer.readSlice(length: buffer.readableBytes)!))
        }
        return .needMoreData
    }

    /// Reads one length-prefixed message from `buffer`, consuming it only when complete.
    ///
    /// - Throws: ``Libp2pError`` `frameTooLarge` or `malformedFrame`.
    static func readMessage(from buffer: inout ByteBuffer, maximumLength: Int) throws(Libp2pError) -> ByteBuffer? {
        guard case .value(let length, let prefix) = try UVarint.peek(buffer.readableBytesView) else { return nil }
        guard length <= UInt64(maximumLength) else {
            throw Libp2pError(.frameTooLarge, "message of \(length) bytes exceeds the limit of \(maximumLength)")
        }
        guard buffer.readableBytes >= prefix + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: prefix)
        return buffer.readSlice(length: Int(length))
    }
}
