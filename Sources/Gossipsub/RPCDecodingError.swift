/// A failure to decode an RPC a peer sent.
///
/// Carries a code to switch on, the byte offset in the frame where decoding stopped, and a detail a
/// person can read. The router counts every such failure as nwaku does: the RPC is dropped and the
/// sender's behaviour penalty grows by 0.1 (PROTOCOLS.md §10.8).
package struct RPCDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong, coarsely.
    package enum Code: String, Equatable, Sendable {
        /// The frame ends inside a field.
        case truncated
        /// A varint is longer than 64 bits.
        case varintOverflow
        /// A wire type that protobuf does not define, or the wrong one for a known field.
        case invalidWireType
        /// A required field (a message's topic) is absent.
        case missingField
        /// A topic is not valid UTF-8.
        case invalidUTF8
        /// A message's `from` is not a peer id.
        case invalidPeerID
        /// More entries, or longer ones, than ``RPC/Limits`` allow.
        case limitExceeded
    }

    /// What went wrong.
    package var code: Code
    /// Offset into the frame at which the problem was found.
    package var offset: Int
    /// A readable account of the problem.
    package var detail: String

    /// An error found at `offset`.
    package init(_ code: Code, at offset: Int, _ detail: String) {
        self.code = code
        self.offset = offset
        self.detail = detail
    }

    /// The code, offset and detail in one line.
    package var description: String { "\(self.code.rawValue) at byte \(self.offset): \(self.detail)" }
}
