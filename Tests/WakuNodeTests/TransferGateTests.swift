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

    static let now = end + 30_000_000_000

    static func push(
        at time: Int64,
        topic: String = topic,
        content: String = "/a/1/b/c",
        ephemeral: Bool = false,
        payload: [UInt8]? = nil
    ) -> IncomingMessage {
        let message = WakuMessage(
            payload: payload ?? Array("m\(time)".utf8),
            contentTopic: content,
            timestamp: time,
            ephemeral: ephemeral
        )
        return IncomingMessage(pubsubTopic: topic, message: message)
    }

    static func open(
        _ gate: inout TransferGate<String>,
        wanting hashes: [MessageHash],
        open intervals: [SyncInterval] = [],
        id: UInt64 = 1
    ) {
        let scope = MessageAcceptance.Scope(pubsubTopics: [topic])
        gate.open(TransferGate.Session(id: SessionID(id), peerID: "peer-a", window: start...end, scope: scope))
        gate.extend(SessionID(id), wanted: hashes, open: intervals, scope: scope)
    }

    @Test("requested pushes from a peer in session are accepted; others are refused by reason")
    func verdicts() {
        var gate = TransferGate<String>()
        let wanted = Self.push(at: Self.start + 10)
        #expect(gate.admit(wanted, from: "peer-a", at: Self.now) == .reject(.noSession))
        Self.open(&gate, wanting: [wanted.hash])
        #expect(gate.admit(wanted, from: "peer-a", at: Self.now) == .accept)
        #expect(gate.admit(wanted, from: "peer-b", at: Self.now) == .reject(.noSession))
        let late = Self.push(at: Self.end + 1)
        #expect(gate.admit(late, from: "peer-a", at: Self.now) == .reject(.outsideWindow))
        let otherTopic = Self.push(at: Self.start + 20, topic: "/waku/2/rs/1/7")
        #expect(gate.admit(otherTopic, from: "peer-a", at: Self.now) == .reject(.outsideScope))
        let ephemeral = Self.push(at: Self.start + 30, ephemeral: true)
        #expect(gate.admit(ephemeral, from: "peer-a", at: Self.now) == .reject(.ephemeral))
    }

    @Test("the acceptance rule applies to pushes: size, the future, and our clock")
    func acceptanceRule() {
        var gate = TransferGate<String>(acceptance: MessageAcceptance(maxMessageSize: 1_000))
        let big = Self.push(at: Self.start + 10, payload: Array(repeating: 7, count: 2_000))
        let future = Self.push(at: Self.end - 1)
        Self.open(&gate, wanting: [big.hash, future.hash])
        #expect(gate.admit(big, from: "peer-a", at: Self.now) == .reject(.oversized))
        // The window reaches `end`, but our clock says `end - 1` is 30 s ahead: too far.
        let earlyClock = Self.end - 31_000_000_000
        #expect(gate.admit(future, from: "peer-a", at: earlyClock) == .reject(.futureTimestamp))
        #expect(gate.admit(future, from: "peer-a", at: Self.now) == .accept)
    }

    @Test("a push into an interval where we said we hold nothing is requested")
    func openIntervals() {
        var gate = TransferGate<String>()
        let inside = Self.push(at: Self.start + 500)
        Self.open(&gate, wanting: [], open: [.halfOpen(.bound(Self.start + 100), .bound(Self.start + 1_000))])
        #expect(gate.admit(inside, from: "peer-a", at: Self.now) == .accept)
        let outside = Self.push(at: Self.start + 1_000)
        #expect(gate.admit(outside, from: "peer-a", at: Self.now) == .hold)
    }

    @Test("an early push waits for its round; at the end it is stored if asked for, else refused")
    func heldUntilEnd() {
        var gate = TransferGate<String>()
        let early = Self.push(at: Self.start + 40)
        let stray = Self.push(at: Self.start + 50)
        Self.open(&gate, wanting: [])
        #expect(gate.admit(early, from: "peer-a", at: Self.now) == .hold)
        #expect(gate.admit(stray, from: "peer-a", at: Self.now) == .hold)
        #expect(gate.heldBytes == early.size + stray.size)
        gate.extend(
            SessionID(1),
            wanted: [early.hash],
            open: [],
            scope: MessageAcceptance.Scope(pubsubTopics: [Self.topic])
        )
        let (accepted, unrequested) = gate.end(SessionID(1), at: Self.now + 1)
        #expect(accepted.map(\.hash) == [early.hash])
        #expect(unrequested == 1)
        #expect(gate.heldBytes == 0)
        // After the end, within the grace period, unrequested pushes are refused at once.
        #expect(gate.admit(stray, from: "peer-a", at: Self.now + 2) == .reject(.unrequested))
        #expect(gate.admit(early, from: "peer-a", at: Self.now + 2) == .accept)
    }

    @Test("after the grace period, pushes count as having no session")
    func grace() {
        var gate = TransferGate<String>(grace: .seconds(60))
        let wanted = Self.push(at: Self.start + 10)
        Self.open(&gate, wanting: [wanted.hash])
        _ = gate.end(SessionID(1), at: Self.now)
        #expect(gate.admit(wanted, from: "peer-a", at: Self.now + 59_000_000_000) == .accept)
        #expect(gate.admit(wanted, from: "peer-a", at: Self.now + 61_000_000_000) == .reject(.noSession))
        gate.expire(at: Self.now + 61_000_000_000)
        #expect(gate.sessions.isEmpty)
    }

    @Test("a flood beyond the cap is refused and held bytes are bounded over all sessions")
    func cap() {
        var gate = TransferGate<String>(capBeyondWanted: 5)
        Self.open(&gate, wanting: [], open: [.closed(.bound(Self.start), .bound(Self.end))])
        let verdicts = (0..<8).map { offset in
            gate.admit(Self.push(at: Self.start + Int64(offset)), from: "peer-a", at: Self.now)
        }
        #expect(verdicts.prefix(5).allSatisfy { $0 == .accept })
        #expect(verdicts.suffix(3).allSatisfy { $0 == .reject(.overCap) })
        let one = Self.push(at: Self.start + 100).size
        var holding = TransferGate<String>(capBeyondWanted: 100, heldBytesLimit: 2 * one + 1)
        Self.open(&holding, wanting: [], id: 1)
        holding.open(
            TransferGate.Session(
                id: SessionID(2),
                peerID: "peer-b",
                window: Self.start...Self.end,
                scope: MessageAcceptance.Scope(pubsubTopics: [Self.topic])
            )
        )
        let first = holding.admit(Self.push(at: Self.start + 100), from: "peer-a", at: Self.now)
        let second = holding.admit(Self.push(at: Self.start + 101), from: "peer-b", at: Self.now)
        let third = holding.admit(Self.push(at: Self.start + 102), from: "peer-a", at: Self.now)
        #expect([first, second, third] == [.hold, .hold, .reject(.overCap)])
    }

    @Test("open intervals stay merged and sorted; membership is exact at the bounds")
    func intervalSet() {
        var set = SyncIntervalSet()
        set.insert(.halfOpen(.bound(30), .bound(40)))
        set.insert(.halfOpen(.bound(10), .bound(20)))
        set.insert(.halfOpen(.bound(20), .bound(25)))
        set.insert(.closed(.bound(50), .bound(60)))
        set.insert(.halfOpen(.bound(35), .bound(50)))
        #expect(set.intervals.map(\.lower.timestamp) == [10, 30])
        #expect(set.intervals.map(\.upper.timestamp) == [25, 60])
        #expect(set.contains(.bound(10)) && set.contains(.bound(24)) && !set.contains(.bound(25)))
        #expect(!set.contains(.bound(29)) && set.contains(.bound(30)) && set.contains(.bound(60)))
        #expect(!set.contains(SyncID(timestamp: 60, hash: .max)))
        #expect(!set.contains(.bound(61)))
        for step in stride(from: 1_000, to: 3_000, by: 2) {
            set.insert(.halfOpen(.bound(Int64(step)), .bound(Int64(step + 1))))
        }
        #expect(set.count == 1_002)
        set.insert(.halfOpen(.bound(1_000), .bound(3_000)))
        #expect(set.count == 3)
    }
}
