internal import ArgumentParser
internal import Foundation
internal import Libp2p
internal import NodeEvents
internal import WakuArchive
internal import WakuNode

/// `wakusync audit --peer ADDR`: compares our whole archive with a peer's and, with `--repair`,
/// makes them agree (PROTOCOLS.md §12).
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Compare the archive with a peer's over days or weeks, and repair the differences.",
        discussion: """
            Compares bucket fingerprints top-down (days, hours, minutes) with a wakusync peer, then the \
            exact hashes inside the minutes that differ; a peer without the audit protocol (nwaku) is \
            audited with Store v3 hash queries, at most --max-queries of them. --pubsub-topic limits the \
            audit to those topics. Prints a table per day and hour (or JSON with --json). Exits 0 only \
            when the archives agree, or were made to agree with --repair.
            """
    )

    @OptionGroup var node: NodeOptions

    @OptionGroup var config: ConfigFileOption

    @Option(
        help: ArgumentHelp(
            "Start of the span: nanoseconds, a UTC date or time (2026-11-30, 2026-11-30T12:00:00Z), or back from now (-7d, -12h, -30m). Default: the retention floor, or the oldest message.",
            valueName: "TIME"
        )
    )
    var from: String?

    @Option(
        help: ArgumentHelp("End of the span (exclusive), in the same forms. Default: a minute ago.", valueName: "TIME")
    )
    var to: String?

    @Flag(help: "Fetch what we lack and push what the peer lacks.")
    var repair = false

    @Option(help: "Store v3 queries allowed against a peer without the audit protocol.")
    var maxQueries = 10_000

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard self.node.peers.count == 1 else { throw ValidationError("give exactly one --peer ADDR") }
        guard self.maxQueries > 0 else { throw ValidationError("--max-queries must be at least 1") }
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        for (name, text) in [("from", self.from), ("to", self.to)] {
            if let text, AuditTime.parse(text, now: now) == nil {
                throw ValidationError(
                    "--\(name) '\(text)': expected nanoseconds, 2026-11-30, 2026-11-30T12:00:00Z or -7d/-12h/-30m"
                )
            }
        }
    }

    func run() async throws {
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        // The one-shot node runs no retention, so the retention floor is applied here.
        var floor: Int64?
        if let text = self.node.storeMessageRetentionPolicy,
            case .time(let seconds) = try RetentionPolicy(parsing: text)
        {
            floor = now - seconds * 1_000_000_000
        }
        var plan = AuditPlan(
            from: self.from.flatMap { AuditTime.parse($0, now: now) } ?? floor,
            to: self.to.flatMap { AuditTime.parse($0, now: now) },
            pubsubTopics: self.node.pubsubTopic,
            repair: self.repair,
            maxQueries: self.maxQueries
        )
        if let floor, let from = plan.from, from < floor { plan.from = floor }
        if let from = plan.from, let to = plan.to, from >= to {
            throw ValidationError("--from must be before --to")
        }
        let address = self.node.peers[0]
        let asked = plan
        let report = try await OneShotNode.with(self.node) { node in
            let peer = try await node.connect(to: address)
            return await node.audit(peer, plan: asked)
        }
        print(self.json ? try JSONOutput.string(AuditOutput.json(report)) : AuditOutput.table(report))
        if !report.isConsistent { throw ExitCode.failure }
    }
}

/// The time forms `wakusync audit` takes.
enum AuditTime {
    /// Nanoseconds since the Unix epoch, or nil when `text` is none of the forms.
    static func parse(_ text: String, now: Int64) -> Int64? {
        if let value = Int64(text), value >= 0 { return value }
        if text.hasPrefix("-"), let unit = text.last, let amount = Int64(text.dropFirst().dropLast()), amount >= 0 {
            let seconds: Int64? =
                switch unit {
                case "d": 86_400
                case "h": 3_600
                case "m": 60
                case "s": 1
                default: nil
                }
            guard let seconds else { return nil }
            let (product, overflow) = amount.multipliedReportingOverflow(by: seconds * 1_000_000_000)
            return overflow ? nil : now - product
        }
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970) * 1_000_000_000 }
        formatter.formatOptions = [.withFullDate]
        if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970) * 1_000_000_000 }
        return nil
    }
}
