internal import Libp2p
internal import NodeEvents
internal import WakuCore

/// The way a batch of messages came in, which decides the span and scope the acceptance rule
/// checks them against.
enum IngestPath: Sendable {
    /// Pushed by a peer through transfer: the transfer gate finds the session that asked.
    case transfer(PeerID)
    /// Fetched by Store hash queries: only hashes a fetch asked for, inside the span of the
    /// session that found them lacking.
    case fetch(PeerID)
    /// Store Resume or an audit pull: inside the span and scope the queries asked for.
    case query(PeerID, source: MessageSource, span: ClosedRange<Int64>, scope: MessageAcceptance.Scope)
    /// Published locally (the demo's traffic generator): trusted for its span, still bounded by
    /// size and by the future.
    case publish
    /// Delivered by Waku Relay from a peer: nwaku's archive rule, a window of ±20 s around our
    /// clock (PROTOCOLS.md §10.5), inside the configured scope.
    case relay(PeerID)

    var source: MessageSource {
        switch self {
        case .transfer: .sync
        case .fetch: .fetch
        case .query(_, source: let source, span: _, scope: _): source
        case .publish: .publish
        case .relay: .relay
        }
    }

    var peer: PeerID? {
        switch self {
        case .transfer(let peer), .fetch(let peer), .relay(let peer), .query(let peer, source: _, span: _, scope: _):
            peer
        case .publish: nil
        }
    }
}

/// What admitting one batch did.
struct IngestReport: Sendable, Equatable {
    /// Queued for the archive.
    var accepted = 0
    /// Early pushes waiting for their session to ask for them.
    var held = 0
    var rejected: [Rejection: Int] = [:]

    var total: Int { self.accepted + self.held + self.rejected.values.reduce(0, +) }

    mutating func reject(_ reason: Rejection) { self.rejected[reason, default: 0] += 1 }

    static func += (lhs: inout IngestReport, rhs: IngestReport) {
        lhs.accepted += rhs.accepted
        lhs.held += rhs.held
        lhs.rejected.merge(rhs.rejected, uniquingKeysWith: +)
    }
}

/// Accepted messages waiting for the writer, with the bytes they hold; a pure buffer the engine
/// drives (waiting and waking stays in the engine).
struct IngestQueue {
    /// Where a queued message came from: the writer batches by it, so every stored event is exact.
    struct Origin: Hashable, Sendable {
        var source: MessageSource
        var peer: PeerID?
    }

    private var items: [(message: IncomingMessage, origin: Origin)] = []
    private var head = 0
    /// Encoded bytes of the messages queued and being written.
    private(set) var bytes = 0
    var isClosed = false
    var roomWaiters: [CheckedContinuation<Void, Never>] = []
    var writer: CheckedContinuation<Void, Never>?
    /// Messages ever appended, and ever written (or failed): positions for ``writtenWaiters``.
    private(set) var appended = 0
    var written = 0
    /// Callers waiting until `written` reaches their position.
    var writtenWaiters: [(position: Int, continuation: CheckedContinuation<Void, Never>)] = []

    var isEmpty: Bool { self.head == self.items.count }

    mutating func append(_ messages: [IncomingMessage], origin: Origin) {
        for message in messages {
            self.items.append((message, origin))
            self.bytes += message.size
        }
        self.appended += messages.count
    }

    /// The next batch: messages of one origin, at most `count` of them and about `byteLimit`
    /// bytes (at least one). Their bytes stay counted until ``release(_:)``.
    mutating func takeBatch(count: Int, byteLimit: Int) -> (messages: [IncomingMessage], origin: Origin)? {
        guard !self.isEmpty else { return nil }
        let origin = self.items[self.head].origin
        var batch: [IncomingMessage] = []
        var size = 0
        while self.head < self.items.count, batch.count < count, self.items[self.head].origin == origin,
            batch.isEmpty || size + self.items[self.head].message.size <= byteLimit
        {
            batch.append(self.items[self.head].message)
            size += self.items[self.head].message.size
            self.head += 1
        }
        if self.head > 4_096 && self.head * 2 > self.items.count {
            self.items.removeFirst(self.head)
            self.head = 0
        }
        return (batch, origin)
    }

    /// A taken batch was written (or failed): its bytes are free again.
    mutating func release(_ messages: [IncomingMessage]) {
        self.bytes -= messages.reduce(0) { $0 + $1.size }
    }
}
