/// Runs a whole reconciliation between two in-memory indexes, frame by frame, with no network:
/// what `wakusync inspect session`, `wakusync bench sync` and the property tests drive.
package struct SessionReplay {
    /// One frame of the exchange: its payload without the length prefix.
    package struct Frame: Equatable, Sendable {
        package var from: ReconciliationSession.Role
        package var payload: [UInt8]
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
            self.frames.filter { $0.from == role }.reduce(0) { $0 + $1.payload.count }
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
    ///   - measure: wraps each side's work (encode, decode, processing), e.g. to time it; called
    ///     with the role doing the work.
    /// - Returns: every frame and both sessions as they ended.
    package func run(
        initiatorIndex: SyncIndex,
        responderIndex: SyncIndex,
        from start: Int64,
        to end: Int64,
        measure: (ReconciliationSession.Role, () -> Void) -> Void = { $1() }
    ) -> Transcript {
        var transcript = Transcript(
            initiator: ReconciliationSession(role: .initiator, configuration: self.initiatorConfiguration),
            responder: ReconciliationSession(role: .responder, configuration: self.responderConfiguration)
        )
        var pending: [UInt8] = []
        measure(.initiator) { pending = transcript.initiator.start(from: start, to: end, index: initiatorIndex) }
        transcript.frames.append(Frame(from: .initiator, payload: pending))
        var turn = ReconciliationSession.Role.responder
        while true {
            var step = ReconciliationSession.Step.finish
            var failure: SessionError?
            let frame = pending
            measure(turn) {
                do throws(SessionError) {
                    if turn == .responder {
                        step = try transcript.responder.receive(frame, index: responderIndex)
                    } else {
                        step = try transcript.initiator.receive(frame, index: initiatorIndex)
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
                transcript.frames.append(Frame(from: turn, payload: reply))
                pending = reply
                turn = turn == .responder ? .initiator : .responder
            case .reply(let reply):
                transcript.frames.append(Frame(from: turn, payload: reply))
                pending = reply
                turn = turn == .responder ? .initiator : .responder
            }
        }
    }
}
