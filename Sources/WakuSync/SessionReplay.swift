/// Runs a whole reconciliation between two in-memory indexes, frame by frame, with no network:
/// what `wakusync inspect session`, `wakusync bench sync` and the property tests drive.
package struct SessionReplay {
    /// One frame of the exchange: its payload without the length prefix.
    package struct Frame: Equatable, Sendable {
        package var from: ReconciliationSession.Role
        /// Empty when the replay was told not to keep payloads.
        package var payload: [UInt8]
        /// The payload's length in bytes.
        package var size: Int

        init(from: ReconciliationSession.Role, payload: [UInt8], keep: Bool) {
            self.from = from
            self.payload = keep ? payload : []
            self.size = payload.count
        }
    }

    /// Everything a replay produced.
    package struct Transcript: Sendable {
        package var frames: [Frame] = []
        package var initiator: ReconciliationSession
        package var responder: ReconciliationSession
        /// Set when a side gave up on the session.
        package var failure: SessionError?

        /// Payloads the initiator received: nwaku's `reconciliation_roundtrips`.
        package var roundTrips: Int { self.frames.filter { $0.from == .responder }.count }
        /// Payload bytes both ways, without length prefixes.
        package var bytes: Int { self.bytes(from: .initiator) + self.bytes(from: .responder) }

        package func bytes(from role: ReconciliationSession.Role) -> Int {
            self.frames.filter { $0.from == role }.reduce(0) { $0 + $1.size }
        }
    }

    package var initiatorConfiguration: ReconciliationSession.Configuration
    package var responderConfiguration: ReconciliationSession.Configuration

    package init(
        initiator: ReconciliationSession.Configuration,
        responder: ReconciliationSession.Configuration
    ) {
        self.initiatorConfiguration = initiator
        self.responderConfiguration = responder
    }

    /// Reconciles `[start, end]` between the two indexes.
    ///
    /// - Parameters:
    ///   - initiatorIndex: the items of the side that starts.
    ///   - responderIndex: the items of the side that answers.
    ///   - start: window start, nanoseconds.
    ///   - end: window end, nanoseconds.
    ///   - keepingPayloads: false keeps only each frame's size, for replays too large to hold.
    ///   - measure: wraps each side's work (encode, decode, processing), e.g. to time it; called
    ///     with the role doing the work.
    /// - Returns: every frame and both sessions as they ended.
    package func run(
        initiatorIndex: SyncIndex,
        responderIndex: SyncIndex,
        from start: Int64,
        to end: Int64,
        keepingPayloads: Bool = true,
        measure: (ReconciliationSession.Role, () -> Void) -> Void = { $1() }
    ) -> Transcript {
        var transcript = Transcript(
            initiator: ReconciliationSession(role: .initiator, configuration: self.initiatorConfiguration),
            responder: ReconciliationSession(role: .responder, configuration: self.responderConfiguration)
        )
        var pending: [UInt8] = []
        measure(.initiator) { pending = transcript.initiator.start(from: start, to: end, index: initiatorIndex) }
        transcript.frames.append(Frame(from: .initiator, payload: pending, keep: keepingPayloads))
        var turn = ReconciliationSession.Role.responder
        while true {
            var step = ReconciliationSession.Step.finish
            var failure: SessionError?
            // Decoded first and then let go, so the bytes are not held while the payload is
            // processed (what the node does too).
            var frame = pending
            pending = []
            measure(turn) {
                do throws(SessionError) {
                    if turn == .responder {
                        step = try Self.receive(&frame, by: &transcript.responder, index: responderIndex)
                    } else {
                        step = try Self.receive(&frame, by: &transcript.initiator, index: initiatorIndex)
                    }
                } catch {
                    failure = error
                }
            }
            if let failure {
                transcript.failure = failure
                return transcript
            }
            switch step {
            case .finish:
                return transcript
            case .replyAndFinish(let reply):
                // The other side still reads this last frame; it must end its session too.
                transcript.frames.append(Frame(from: turn, payload: reply, keep: keepingPayloads))
                pending = reply
                turn = turn == .responder ? .initiator : .responder
            case .reply(let reply):
                transcript.frames.append(Frame(from: turn, payload: reply, keep: keepingPayloads))
                pending = reply
                turn = turn == .responder ? .initiator : .responder
            }
        }
    }

    /// ``ReconciliationSession/receive(_:index:)``, emptying `bytes` once they are decoded.
    private static func receive(
        _ bytes: inout [UInt8],
        by session: inout ReconciliationSession,
        index: SyncIndex
    ) throws(SessionError) -> ReconciliationSession.Step {
        let payload: RangesData
        do {
            payload = try ReconciliationSession.decode(bytes, configuration: session.configuration)
        } catch {
            throw SessionError(error.code, "payload \(session.rounds.count + 1): \(error.detail)")
        }
        let size = bytes.count
        bytes = []
        return try session.receive(payload, size: size, index: index)
    }
}
