package import NIOCore

/// multistream-select 1.0 (PROTOCOLS.md §7.2): the wire helpers and the two negotiation state
/// machines. Pure: the caller moves the messages; the connection upgrade and every new stream use it.
package enum Multistream {
    /// The protocol ID both sides send first.
    package static let header = "/multistream/1.0.0"
    /// The refusal answer.
    static let notAvailable = "na"
    /// nim-libp2p's limit for one multistream message (length prefix excluded).
    package static let maximumMessageSize = 1024

    /// Appends one message: `uvarint(len) || text || "\n"`.
    package static func write(_ text: String, to buffer: inout ByteBuffer) {
        UVarint.write(UInt64(text.utf8.count + 1), to: &buffer)
        buffer.writeString(text)
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    /// The frames of several messages in one buffer, for a single pipelined write.
    static func frames(_ texts: [String], allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: texts.reduce(0) { $0 + $1.utf8.count + 3 })
        for text in texts { self.write(text, to: &buffer) }
        return buffer
    }

    /// The text of one received message (its payload, prefix already removed), without the newline.
    ///
    /// - Throws: ``Libp2pError/Code/negotiationFailed`` when it is empty, lacks the final newline or is
    ///   not UTF-8.
    package static func text(of payload: ByteBuffer) throws(Libp2pError) -> String {
        let bytes = payload.readableBytesView
        guard bytes.last == UInt8(ascii: "\n") else {
            throw Libp2pError(.negotiationFailed, "multistream message does not end with a newline")
        }
        guard let text = String(validating: bytes.dropLast(), as: UTF8.self) else {
            throw Libp2pError(.negotiationFailed, "multistream message is not UTF-8")
        }
        return text
    }
}

/// The dialer's side of a negotiation: pipelines the header with its first proposal, then walks
/// down its list on `na`.
package struct MultistreamDialer: Sendable {
    /// What to do after a message arrived.
    package enum Action: Equatable, Sendable {
        /// Nothing to send; wait for the next message.
        case wait
        /// Send this proposal next.
        case propose(String)
        /// The listener echoed this protocol; the stream now belongs to it.
        case selected(String)
    }

    private let proposals: [String]
    private var index = 0
    private var receivedHeader = false

    /// A dialer that proposes `proposals` in order of preference (at least one).
    package init(proposals: [String]) {
        precondition(!proposals.isEmpty, "multistream dialer needs at least one proposal")
        self.proposals = proposals
    }

    /// The messages to send first: the header and the first proposal.
    package var openingMessages: [String] { [Multistream.header, self.proposals[0]] }

    /// Handles one message from the listener.
    package mutating func receive(_ message: String) throws(Libp2pError) -> Action {
        guard self.receivedHeader else {
            guard message == Multistream.header else {
                throw Libp2pError(.negotiationFailed, "expected the multistream header, got '\(message.prefix(64))'")
            }
            self.receivedHeader = true
            return .wait
        }
        let proposal = self.proposals[self.index]
        if message == proposal { return .selected(proposal) }
        guard message == Multistream.notAvailable else {
            throw Libp2pError(.negotiationFailed, "proposed \(proposal), peer answered '\(message.prefix(64))'")
        }
        self.index += 1
        guard self.index < self.proposals.count else {
            throw Libp2pError(
                .negotiationFailed,
                "peer supports none of \(self.proposals.joined(separator: ", "))"
            )
        }
        return .propose(self.proposals[self.index])
    }
}

/// The listener's side of a negotiation: answers the header, `ls`, and proposals until one is supported.
package struct MultistreamListener: Sendable {
    /// What to do after a message arrived.
    package enum Action: Equatable, Sendable {
        /// Send these messages and wait for the next proposal.
        case reply([String])
        /// Echo this protocol; the stream now belongs to it.
        case selected(String)
    }

    private let supported: [String]
    private let prefixes: [String]
    private var receivedHeader = false
    private var refusals = 0

    /// How many proposals may be refused before the negotiation is abandoned.
    static let maximumRefusals = 64

    /// A listener for the protocol IDs in `supported`, and for every ID that starts with one of
    /// `prefixes` (the proposed ID is echoed as proposed).
    package init(supported: [String], prefixes: [String] = []) {
        self.supported = supported
        self.prefixes = prefixes
    }

    /// Handles one message from the dialer.
    package mutating func receive(_ message: String) throws(Libp2pError) -> Action {
        guard self.receivedHeader else {
            guard message == Multistream.header else {
                throw Libp2pError(.negotiationFailed, "expected the multistream header, got '\(message.prefix(64))'")
            }
            self.receivedHeader = true
            return .reply([Multistream.header])
        }
        if self.supported.contains(message) || self.prefixes.contains(where: { message.hasPrefix($0) }) {
            return .selected(message)
        }
        self.refusals += 1
        guard self.refusals <= Self.maximumRefusals else {
            throw Libp2pError(.negotiationFailed, "peer proposed more than \(Self.maximumRefusals) protocols")
        }
        if message == "ls" {
            // nim-libp2p's format: one message with every protocol followed by a newline (§8 row 24).
            return .reply([self.supported.joined(separator: "\n")])
        }
        // A repeated header gets `na` too, as nim-libp2p answers.
        return .reply([Multistream.notAvailable])
    }
}
