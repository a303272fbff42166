import NodeEvents
import Testing
import WakuCore
import WakuSync
import WakuTestSupport

@testable import WakuNode

@Suite("Transfer acceptance (PROTOCOLS.md §5.2)")
struct TransferGateTests {
    static let start: Int64 = 1_700_000_000_000_000_000
    static let end: Int64 = start + 3_600_000_000_000
    static let topic = "/waku/2/rs/1/0"

    static func push(at time: Int64, topic: String = topic, content: String = "/a/1/b/c", ephemeral: Bool = false) -> (TransferPayload, MessageHash) {
        let message = WakuMessage(payload: Array("m\(time)".utf8), contentTopic: content, timestamp: time, ephemeral: ephemeral)
        return (TransferPayload(pubsubTopic: topic, message: message), message.hash(pubsubTopic: topic))
    }

    static func session(wanting hashes: [MessageHash], open: [SyncInterval] = [], id: UInt64 = 1) -> TransferGate.Session {
        var session = TransferGate.Session(
            id: SessionID(id),
            peerID: "peer-a",
            windowStart: start,
            windowEnd: end,
            pubsubTopics: [topic],
            contentTopics: []
        )
        session.wanted = Set(hashes)
        session.openIntervals = open
        return session
    }

    @Test("requested pushes from a peer in session are accepted; others are refused by reason")
    func verdicts() {
        var gate = TransferGate()
        let wanted = Self.push(at: Self.start + 10)
        let verdict1 = gate.admit(wanted.0, hash: wanted.1, from: "peer-a", at: Self.start)
        #expect(verdict1 == .reject(.noSession))
        gate.update(Self.session(wanting: [wanted.1]))
        let verdict2 = gate.admit(wanted.0, hash: wanted.1, from: "peer-a", at: Self.start)
        #expect(verdict2 == .accept)
        let verdict3 = gate.admit(wanted.0, hash: wanted.1, from: "peer-b", at: Self.start)
        #expect(verdict3 == .reject(.noSession))
        let late = Self.push(at: Self.end + 1)
        let verdict4 = gate.admit(late.0, hash: late.1, from: "peer-a", at: Self.start)
        #expect(verdict4 == .reject(.outsideWindow))
        let otherTopic = Self.push(at: Self.start + 20, topic: "/waku/2/rs/1/7")
        let verdict5 = gate.admit(otherTopic.0, hash: otherTopic.1, from: "peer-a", at: Self.start)
        #expect(verdict5 == .reject(.outsideScope))
        let ephemeral = Self.push(at: Self.start + 30, ephemeral: true)
        let verdict6 = gate.admit(ephemeral.0, hash: ephemeral.1, from: "peer-a", at: Self.start)
        #expect(verdict6 == .reject(.ephemeral))
    }

    @Test("a push into an interval where we said we hold nothing is requested")
    func openIntervals() {
        var gate = TransferGate()
        let inside = Self.push(at: Self.start + 500)
        gate.update(Self.session(wanting: [], open: [.halfOpen(.bound(Self.start + 100), .bound(Self.start + 1_000))]))
        let verdict7 = gate.admit(inside.0, hash: inside.1, from: "peer-a", at: Self.start)
        #expect(verdict7 == .accept)
    }

    @Test("an early push waits for its round; at the end it is stored if asked for, else refused")
    func heldUntilEnd() {
        var gate = TransferGate()
        let early = Self.push(at: Self.start + 40)
        let stray = Self.push(at: Self.start + 50)
        gate.update(Self.session(wanting: []))
        let verdict8 = gate.admit(early.0, hash: early.1, from: "peer-a", at: Self.start)
        #expect(verdict8 == .hold)
        let verdict9 = gate.admit(stray.0, hash: stray.1, from: "peer-a", at: Self.start)
        #expect(verdict9 == .hold)
        gate.update(Self.session(wanting: [early.1]))
        let (accepted, unrequested) = gate.end(SessionID(1), at: Self.start + 1)
        #expect(accepted.map(\.0) == [early.1])
        #expect(unrequested == 1)
        // After the end, within the grace period, unrequested pushes are refused at once.
        let verdict10 = gate.admit(stray.0, hash: stray.1, from: "peer-a", at: Self.start + 2)
        #expect(verdict10 == .reject(.unrequested))
        let wantedLate = Self.push(at: Self.start + 60)
        gate.update(Self.session(wanting: [early.1, wantedLate.1]))
        _ = gate.end(SessionID(1), at: Self.start + 3)
        let verdict11 = gate.admit(wantedLate.0, hash: wantedLate.1, from: "peer-a", at: Self.start + 4)
        #expect(verdict11 == .accept)
    }

    @Test("after the grace period, pushes count as having no session")
    func grace() {
        var gate = TransferGate(grace: .seconds(60))
        let wanted = Self.push(at: Self.start + 10)
        gate.update(Self.session(wanting: [wanted.1]))
        _ = gate.end(SessionID(1), at: Self.start)
        let verdict12 = gate.admit(wanted.0, hash: wanted.1, from: "peer-a", at: Self.start + 59_000_000_000)
        #expect(verdict12 == .accept)
        let verdict13 = gate.admit(wanted.0, hash: wanted.1, from: "peer-a", at: Self.start + 61_000_000_000)
        #expect(verdict13 == .reject(.noSession))
        gate.expire(at: Self.start + 61_000_000_000)
        #expect(gate.sessions.isEmpty)
    }

    @Test("a flood beyond the cap is refused and holding is bounded")
    func cap() {
        var gate = TransferGate(capBeyondWanted: 5, maxHeld: 3)
        gate.update(Self.session(wanting: [], open: [.closed(.bound(Self.start), .bound(Self.end))]))
        var verdicts: [TransferGate.Verdict] = []
        for offset in 0..<8 {
            let push = Self.push(at: Self.start + Int64(offset))
            verdicts.append(gate.admit(push.0, hash: push.1, from: "peer-a", at: Self.start))
        }
        #expect(verdicts.prefix(5).allSatisfy { $0 == .accept })
        #expect(verdicts.suffix(3).allSatisfy { $0 == .reject(.overCap) })
        var holding = TransferGate(capBeyondWanted: 100, maxHeld: 2)
        holding.update(Self.session(wanting: []))
        let held = (0..<4).map { offset in
            let push = Self.push(at: Self.start + 100 + Int64(offset))
            return holding.admit(push.0, hash: push.1, from: "peer-a", at: Self.start)
        }
        #expect(held == [.hold, .hold, .reject(.overCap), .reject(.overCap)])
    }
}
