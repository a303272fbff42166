internal import ArgumentParser
internal import Foundation
internal import Libp2p
internal import NodeEvents
internal import WakuNode

/// `wakusync sync --peer ADDR --once`: one reconciliation and transfer with one peer.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Reconcile once with a peer, exchange the missing messages, print a report.",
        discussion: """
            Reads and fills the archive of --data-dir. Pushes what the peer lacks, waits for what we lack \
            (fetching it by Store after the grace period) and reports rounds, bytes, differences each way, \
            messages transferred and the duration.
            """
    )

    @OptionGroup var node: NodeOptions

    @OptionGroup var config: ConfigFileOption

    @Flag(help: "Run one session and exit (the only mode; periodic sync is `wakusync run --peer`).")
    var once = false

    @Flag(help: "Print JSON.")
    var json = false

    @Option(help: "Seconds to wait for missing messages after the session.")
    var settle: Double = 30

    func validate() throws {
        guard self.once else { throw ValidationError("add --once; for periodic sync run `wakusync run --peer ADDR`") }
        guard self.node.peers.count == 1 else { throw ValidationError("give exactly one --peer ADDR") }
        guard self.settle >= 0 else { throw ValidationError("--settle must be ≥ 0") }
    }

    struct Report: Codable {
        var peer: String
        var outcome: String
        var rounds: Int
        var bytesSent: Int
        var bytesReceived: Int
        var weNeeded: Int
        var theyNeeded: Int
        var messagesSent: Int
        var messagesReceived: Int
        var messagesFetched: Int
        var stillMissing: Int
        var durationMs: Double
        var strategy: String
    }

    func run() async throws {
        let address = self.node.peers[0]
        let settle = self.settle
        let report = try await OneShotNode.with(self.node) { node in
            let started = ContinuousClock.now
            let peer = try await node.connect(to: address)
            guard let end = await node.syncNow(with: peer) else {
                throw CommandFailure("could not start a session with \(peer)")
            }
            let queue = await node.settle(with: peer, timeout: .seconds(settle))
            let outcome: String
            switch end.outcome {
            case .reconciled: outcome = "reconciled"
            case .scopeMismatch: outcome = "scope mismatch"
            case .failed(let reason): outcome = "failed: \(reason)"
            }
            return Report(
                peer: peer.description,
                outcome: outcome,
                rounds: end.rounds,
                bytesSent: end.bytesSent,
                bytesReceived: end.bytesReceived,
                weNeeded: end.weNeed,
                theyNeeded: end.theyNeed,
                messagesSent: queue?.sent ?? 0,
                messagesReceived: queue?.received ?? 0,
                messagesFetched: queue?.fetched ?? 0,
                stillMissing: (queue?.weNeedPending ?? 0) + (queue?.unavailable ?? 0),
                durationMs: Double((ContinuousClock.now - started) / .microseconds(1)) / 1000,
                strategy: end.strategy
            )
        }
        if self.json {
            print(try JSONOutput.string(report))
        } else {
            print(
                """
                session with \(report.peer): \(report.outcome), \(report.rounds) rounds, \(report.strategy)
                  bytes: \(report.bytesSent) sent, \(report.bytesReceived) received
                  differences: we needed \(report.weNeeded), they needed \(report.theyNeeded)
                  transfer: \(report.messagesSent) pushed, \(report.messagesReceived) received, \(report.messagesFetched) fetched by Store, \(report.stillMissing) still missing
                  duration: \(String(format: "%.1f", report.durationMs)) ms
                """
            )
        }
        if report.outcome.hasPrefix("failed") { throw ExitCode.failure }
    }
}
