internal import Libp2p
internal import NodeEvents
internal import Synchronization
internal import WakuArchive
internal import WakuCore

/// Our Store v3 server (PROTOCOLS.md §3): one request and one response per stream, answered from
/// the archive.
///
/// Bounded per peer (streams open at once, queries per second: more get nwaku's 429) and over all
/// peers (queries running at once wait for a slot, so the node's own archive reads always find a
/// reader; response bytes being written share one budget: beyond it, 503).
final class StoreServer: Sendable {
    private let archive: any MessageArchive
    private let events: EventHub
    private let limits: NodeLimits
    private let responses: ByteBudget
    private let slots: QuerySlots
    private let perPeer = Mutex<[PeerID: PeerAllowance]>([:])

    /// Largest Store request we read.
    static let requestLimit = 1 << 20

    init(archive: any MessageArchive, events: EventHub, limits: NodeLimits) {
        self.archive = archive
        self.events = events
        self.limits = limits
        self.responses = ByteBudget("Store response", limit: limits.storeResponseBytes)
        self.slots = QuerySlots(count: limits.storeConcurrentQueries)
    }

    /// What one peer may still do.
    private struct PeerAllowance {
        var openStreams = 0
        var tokens: Double
        var refilledAt: ContinuousClock.Instant
    }

    /// Answers one Store v3 query.
    func serve(_ stream: Libp2pStream) async throws {
        let started = ContinuousClock.now
        let peer = stream.peerID
        if let refusal = self.admit(peer, at: started) {
            self.events.emit(.limitExceeded(LimitExceeded(limit: .store, peerID: peer.description, detail: refusal)))
            try await stream.writeMessage(try StoreQueryResponse.tooManyRequests.serialized())
            await stream.close()
            return
        }
        defer { self.perPeer.withLock { $0[peer]?.openStreams -= 1 } }
        guard let bytes = try await stream.readMessage(maxSize: Self.requestLimit, timeout: .seconds(10)) else {
            return
        }
        let response: StoreQueryResponse
        do {
            let request = try StoreQueryRequest(serialized: bytes)
            response = await self.slots.run { await self.archive.query(request) }
        } catch {
            response = .decodingFailed(error)
        }
        do {
            let encoded = try response.serialized()
            try await self.responses.withReservation(encoded.count) {
                try await stream.writeMessage(encoded)
            }
        } catch let error as BudgetExceeded {
            self.events.emit(
                .limitExceeded(LimitExceeded(limit: .store, peerID: peer.description, detail: error.description))
            )
            let refusal = StoreQueryResponse.serviceUnavailable(requestID: response.requestID)
            try await stream.writeMessage(try refusal.serialized())
        } catch let error as CodecError {
            let failure = StoreQueryResponse(
                requestID: response.requestID,
                statusCode: .badResponse,
                statusDesc: "BAD_RESPONSE: archive error: \(error.detail)"
            )
            try await stream.writeMessage(try failure.serialized())
        }
        await stream.close()
        self.events.emit(
            .storeServed(
                StoreServed(
                    peerID: peer.description,
                    status: response.statusCode.rawValue,
                    messages: response.messages.count,
                    duration: ContinuousClock.now - started
                )
            )
        )
    }

    /// Counts a new stream against `peer`'s allowance; a refusal says why.
    private func admit(_ peer: PeerID, at now: ContinuousClock.Instant) -> String? {
        let rate = Double(self.limits.storeQueriesPerSecond)
        return self.perPeer.withLock { table in
            if table.count > 4_096 { table = table.filter { $0.value.openStreams > 0 } }
            var allowance = table[peer] ?? PeerAllowance(tokens: 2 * rate, refilledAt: now)
            let elapsed =
                Double((now - allowance.refilledAt).components.attoseconds) / 1e18
                + Double((now - allowance.refilledAt).components.seconds)
            allowance.tokens = min(2 * rate, allowance.tokens + elapsed * rate)
            allowance.refilledAt = now
            defer { table[peer] = allowance }
            guard allowance.openStreams < self.limits.storeStreamsPerPeer else {
                return "more than \(self.limits.storeStreamsPerPeer) Store streams at once"
            }
            guard allowance.tokens >= 1 else {
                return "more than \(self.limits.storeQueriesPerSecond) Store queries per second"
            }
            allowance.tokens -= 1
            allowance.openStreams += 1
            return nil
        }
    }
}

/// A fixed number of slots for work that must not all run at once; the rest waits its turn.
actor QuerySlots {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(count: Int) {
        self.free = max(1, count)
    }

    func run<T: Sendable>(_ body: @Sendable () async -> T) async -> T {
        if self.free > 0 {
            self.free -= 1
        } else {
            await withCheckedContinuation { self.waiting.append($0) }
        }
        defer {
            if self.waiting.isEmpty { self.free += 1 } else { self.waiting.removeFirst().resume() }
        }
        return await body()
    }
}
