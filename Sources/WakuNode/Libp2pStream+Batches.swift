internal import Libp2p

// TODO(#10): replaced by Libp2p's own reservation hook and batch read (branch `libp2p`); until then
// the reservation is made once the message is read, and a batch holds one message.
extension Libp2pStream {
    /// One length-prefixed message; `reserve` is called with its length before it is handed over.
    func readMessage(
        maxSize: Int,
        timeout: Duration?,
        reserve: (Int) throws -> Void
    ) async throws -> [UInt8]? {
        guard let message = try await self.readMessage(maxSize: maxSize, timeout: timeout) else { return nil }
        try reserve(message.count)
        return message
    }

    /// Every complete message already buffered (at least one), or nil at the end of the stream.
    func readMessages(maxCount: Int, maxBytes: Int, maxSize: Int, timeout: Duration?) async throws -> [[UInt8]]? {
        guard let message = try await self.readMessage(maxSize: maxSize, timeout: timeout) else { return nil }
        return [message]
    }
}
