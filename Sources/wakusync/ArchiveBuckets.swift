internal import ArgumentParser
internal import Foundation
internal import WakuArchive
internal import WakuCore

/// `wakusync archive buckets`: checks the archive audit's bucket fingerprints against the
/// messages, and rebuilds them with `--repair`.
struct ArchiveBuckets: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "buckets",
        abstract: "Check the audit buckets against the stored messages; --repair rebuilds them.",
        discussion: """
            Recomputes every minute, hour and day bucket from the messages and compares it with the stored \
            one. Exits 1 when they disagree and --repair was not given. The node also rebuilds them at \
            start-up when their total disagrees with the message count.
            """
    )

    @OptionGroup var dataDir: DataDirOptions

    @OptionGroup var archiveOptions: ArchiveOptions

    @OptionGroup var config: ConfigFileOption

    @Flag(help: "Replace the stored buckets by the recomputed ones when they disagree.")
    var repair = false

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() async throws {
        let archive = try await openArchive(
            try self.archiveOptions.location(dataDirectory: self.dataDir.directory),
            dataDirectory: self.dataDir.directory,
            access: self.repair ? .readWrite : .readOnly,
            maxConnections: self.archiveOptions.maxConnections
        )
        let check = try await archive.checkAuditBuckets(repair: self.repair)
        try await archive.close()
        if self.json {
            let object: [String: Any] = [
                "messages": check.messages, "buckets": check.buckets, "mismatches": check.mismatches,
                "rebuilt": check.rebuilt, "consistent": check.isConsistent,
                "examples": check.examples.map { example -> [String: Any] in
                    [
                        "level": example.level.description, "start": example.start, "pubsubTopic": example.pubsubTopic,
                        "storedCount": example.storedCount, "computedCount": example.computedCount,
                    ]
                },
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            ArchiveConsole.output(String(decoding: data, as: UTF8.self))
        } else {
            var lines = [
                "messages    \(check.messages)",
                "buckets     \(check.buckets)",
                "mismatches  \(check.mismatches)\(check.rebuilt ? " (rebuilt)" : "")",
            ]
            for example in check.examples {
                lines.append(
                    "  \(example.level) \(example.start) \(example.pubsubTopic): stored \(example.storedCount), "
                        + "messages \(example.computedCount)"
                )
            }
            ArchiveConsole.output(lines.joined(separator: "\n"))
        }
        if !check.isConsistent && !check.rebuilt { throw ExitCode.failure }
    }
}
