internal import Libp2p
internal import NodeEvents
internal import WakuCore
internal import WakuSync

/// What an archive audit is asked to do (`wakusync audit`, the monitor's audit keys).
package struct AuditPlan: Sendable, Equatable {
    /// The span `from..<to` (nanoseconds); nil: from our retention floor (or our oldest message)
    /// up to a minute ago.
    package var from: Int64?
    package var to: Int64?
    /// The pubsub topics compared; empty: every topic.
    package var pubsubTopics: [String]
    /// Fetch what we lack and push what the peer lacks.
    package var repair: Bool
    /// Store v3 queries allowed against a peer that does not speak the audit protocol.
    package var maxQueries: Int

    package init(
        from: Int64? = nil,
        to: Int64? = nil,
        pubsubTopics: [String] = [],
        repair: Bool = false,
        maxQueries: Int = 10_000
    ) {
        self.from = from
        self.to = to
        self.pubsubTopics = pubsubTopics
        self.repair = repair
        self.maxQueries = maxQueries
    }

    /// Differences past which an audit stops (a peer that holds nothing of a long span is better
    /// repaired by Store Resume or an import than message by message).
    static let maxDifferences = 1_000_000
}

/// One audit stream as the initiator drives it: request, answer, and the counts the report gives.
struct AuditExchange {
    let stream: Libp2pStream
    let limits: AuditLimits
    private(set) var roundTrips = 0
    private(set) var bytesSent = 0
    private(set) var bytesReceived = 0

    init(stream: Libp2pStream, limits: AuditLimits) {
        self.stream = stream
        self.limits = limits
    }

    /// Sends `request` and reads its answer.
    ///
    /// - Throws: the peer's ``AuditRefusal``, a ``CodecError`` for an answer that does not decode
    ///   or is over the limits, a transport error.
    mutating func ask(_ request: AuditRequest) async throws -> AuditResponse {
        let bytes = request.encoded()
        try await self.stream.writeMessage(bytes)
        self.bytesSent += bytes.count + Varint.size(of: UInt64(bytes.count))
        guard let reply = try await self.stream.readMessage(maxSize: self.limits.frameBytes, timeout: .seconds(120))
        else {
            throw NodeError("the peer closed the audit stream")
        }
        self.roundTrips += 1
        self.bytesReceived += reply.count + Varint.size(of: UInt64(reply.count))
        let response = try AuditResponse(decoding: reply, limits: self.limits)
        if case .error(let refusal) = response { throw refusal }
        return response
    }

    /// Copies the exchange's round trips and bytes into `report`.
    func note(report: inout AuditReport) {
        report.roundTrips = self.roundTrips
        report.bytesSent = self.bytesSent
        report.bytesReceived = self.bytesReceived
    }
}
