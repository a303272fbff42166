internal import NIOCore

/// multistream-select on a freshly opened muxed stream (PROTOCOLS.md §7.1 step 6).
enum StreamNegotiation {
    /// As the opener: proposes `protocolID` (pipelined with the header) and waits for the echo.
    ///
    /// - Throws: ``Libp2pError/Code/negotiationFailed`` when the peer answers `na`.
    static func select(_ protocolID: String, on raw: MuxedStream, deadline: NIODeadline) async throws {
        var dialer = MultistreamDialer(proposals: [protocolID])
        try await raw.write(Multistream.frames(dialer.openingMessages, allocator: ByteBufferAllocator()))
        while true {
            let message = try await self.readMessage(raw, deadline: deadline)
            switch try dialer.receive(message) {
            case .wait, .propose: continue
            case .selected: return
            }
        }
    }

    /// As the accepter: answers proposals until one of `supported` is chosen, and returns it.
    static func accept(
        on raw: MuxedStream,
        supported: [String],
        prefixes: [String] = [],
        deadline: NIODeadline
    ) async throws -> String {
        var listener = MultistreamListener(supported: supported, prefixes: prefixes)
        while true {
            let message = try await self.readMessage(raw, deadline: deadline)
            switch try listener.receive(message) {
            case .reply(let replies):
                try await raw.write(Multistream.frames(replies, allocator: ByteBufferAllocator()))
            case .selected(let protocolID):
                try await raw.write(Multistream.frames([protocolID], allocator: ByteBufferAllocator()))
                return protocolID
            }
        }
    }

    private static func readMessage(_ raw: MuxedStream, deadline: NIODeadline) async throws -> String {
        let payload = try await Libp2pStream.take(raw, deadline: deadline) { buffer throws(Libp2pError) in
            try buffer.takeMessage(maximumLength: Multistream.maximumMessageSize)
        }
        guard let payload else {
            throw Libp2pError(.negotiationFailed, "the peer closed the stream during protocol negotiation")
        }
        return try Multistream.text(of: payload)
    }
}
