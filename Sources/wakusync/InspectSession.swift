internal import ArgumentParser
internal import Foundation
internal import WakuCore
internal import WakuSync

/// `wakusync inspect session`: replay a whole reconciliation offline between two item sets.
struct InspectSession: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session",
        abstract: "Replay a reconciliation between two item sets (e.g. two archive exports).",
        discussion: """
            Input lines: {"timestamp":N,"hash":HEX,"pubsubTopic":T,"contentTopic":C}. The initiator starts \
            as nwaku does: one fingerprint range from (from, zero hash) to (to, all-ff hash). Frames in the \
            JSON output are payloads without their length prefix; "" is a zero-length frame, "00" the \
            empty payload.
            """
    )

    @Option(help: "Item set of the initiator (JSON lines).")
    var initiator: String

    @Option(help: "Item set of the responder (JSON lines).")
    var responder: String

    @Option(help: "Window start, nanoseconds.")
    var from: Int64

    @Option(help: "Window end, nanoseconds.")
    var to: Int64

    @OptionGroup var strategy: StrategyOptions

    @Option(help: "The initiator's pubsub topics (repeatable; none = all).")
    var initiatorPubsubTopic: [String] = []

    @Option(help: "The initiator's content topics (repeatable; none = all).")
    var initiatorContentTopic: [String] = []

    @Option(help: "The responder's pubsub topics (repeatable; none = all).")
    var responderPubsubTopic: [String] = []

    @Option(help: "The responder's content topics (repeatable; none = all).")
    var responderContentTopic: [String] = []

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func validate() throws {
        if self.from > self.to { throw ValidationError("--from must not be after --to") }
    }

    func run() throws {
        let initiatorIndex = try ItemListFile.load(self.initiator)
        let responderIndex = try ItemListFile.load(self.responder)
        let strategy = self.strategy.resolved
        let replay = SessionReplay(
            initiator: .init(
                strategy: strategy,
                pubsubTopics: self.initiatorPubsubTopic,
                contentTopics: self.initiatorContentTopic
            ),
            responder: .init(
                strategy: strategy,
                pubsubTopics: self.responderPubsubTopic,
                contentTopics: self.responderContentTopic
            )
        )
        let transcript = replay.run(
            initiatorIndex: initiatorIndex,
            responderIndex: responderIndex,
            from: self.from,
            to: self.to
        )
        if self.json {
            print(try JSONOutput.string(SessionJSON(transcript)))
        } else {
            print(SessionText.describe(transcript, strategy: strategy, window: (self.from, self.to)))
        }
        if let failure = transcript.failure {
            throw CommandFailure("session failed: \(failure)")
        }
    }
}

/// The JSON report of `inspect session`.
struct SessionJSON: Encodable {
    struct Frame: Encodable {
        var from: String
        var hex: String
    }

    struct Side: Encodable {
        var hashesToSend: [String]
        var hashesToReceive: [String]
    }

    var frames: [Frame]
    var initiator: Side
    var responder: Side
    var roundTrips: Int
    var bytes: Int
    var error: String?

    init(_ transcript: SessionReplay.Transcript) {
        self.frames = transcript.frames.map { Frame(from: $0.from.rawValue, hex: $0.payload.hexString) }
        self.initiator = Side(transcript.initiator)
        self.responder = Side(transcript.responder)
        self.roundTrips = transcript.roundTrips
        self.bytes = transcript.bytes
        self.error = transcript.failure?.description
    }
}

extension SessionJSON.Side {
    init(_ session: ReconciliationSession) {
        self.init(hashesToSend: session.hashesToSend.map(\.hex), hashesToReceive: session.hashesToReceive.map(\.hex))
    }
}

/// The text report of `inspect session`: one line per frame, then the totals.
enum SessionText {
    static func describe(
        _ transcript: SessionReplay.Transcript,
        strategy: SyncStrategy,
        window: (Int64, Int64)
    ) -> String {
        var lines = ["window [\(window.0), \(window.1)], strategy \(strategy)"]
        lines.append("frame  from       bytes   skip  fingerprint  itemset (items)  differences found")
        for (number, frame) in transcript.frames.enumerated() {
            let counts = RangeCounts((try? RangesData(decoding: frame.payload))?.ranges ?? [])
            var found = ""
            // Frame k > 0 is the reply of the side that processed frame k - 1.
            if number > 0 {
                let side = frame.from == .responder ? transcript.responder : transcript.initiator
                let round = frame.from == .responder ? (number + 1) / 2 : number / 2
                if round >= 1 && round <= side.rounds.count {
                    let report = side.rounds[round - 1]
                    found = "sends \(report.newHashesToSend), lacks \(report.newHashesToReceive)"
                }
            }
            let kind = frame.payload.isEmpty ? "(zero-length: scopes do not intersect)" : ""
            lines.append(
                "\(Self.pad(number, 5))  \(frame.from.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0))"
                    + "\(Self.pad(frame.payload.count, 7))  \(Self.pad(counts.skip, 5))  \(Self.pad(counts.fingerprint, 11))"
                    + "  \(Self.pad(counts.itemSet, 7)) (\(counts.items))  \(found)\(kind)"
            )
        }
        lines.append(
            "\(transcript.roundTrips) round trips, \(transcript.bytes) bytes "
                + "(initiator → responder \(transcript.bytes(from: .initiator)), responder → initiator \(transcript.bytes(from: .responder)))"
        )
        for session in [transcript.initiator, transcript.responder] {
            lines.append(
                "\(session.role.rawValue): sends \(session.hashesToSend.count), lacks \(session.hashesToReceive.count)"
            )
            for hash in session.hashesToSend.prefix(10) { lines.append("  send    \(hash.hex)") }
            for hash in session.hashesToReceive.prefix(10) { lines.append("  receive \(hash.hex)") }
        }
        if let failure = transcript.failure { lines.append("FAILED: \(failure)") }
        return lines.joined(separator: "\n")
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: " ", count: max(0, width - text.count)) + text
    }
}
