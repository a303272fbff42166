internal import ArgumentParser
internal import Foundation
internal import WakuArchive
internal import WakuCore

/// `wakusync archive`: JSON lines in and out of the archive, and its statistics.
struct ArchiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Import, export and inspect the message archive.",
        subcommands: [
            ArchiveImport.self,
            ArchiveExport.self,
            ArchiveStatsCommand.self,
            ArchiveBuckets.self,
        ]
    )
}

/// `wakusync archive export`: stored messages as JSON lines on standard output.
struct ArchiveExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write stored messages as JSON lines, ordered by (timestamp, hash).",
        discussion: "The format is the one `archive import` reads, with the hash always included."
    )

    @OptionGroup var dataDir: DataDirOptions

    @OptionGroup var archiveOptions: ArchiveOptions

    @OptionGroup var config: ConfigFileOption

    @Option(help: ArgumentHelp("Only messages with timestamp >= NS (nanoseconds).", valueName: "NS"))
    var from: Int64?

    @Option(help: ArgumentHelp("Only messages with timestamp <= NS (nanoseconds).", valueName: "NS"))
    var to: Int64?

    @Option(help: "Only messages on this pubsub topic.")
    var pubsubTopic: String?

    @Option(help: "Only messages on this content topic (repeatable).")
    var contentTopic: [String] = []

    func run() async throws {
        let archive = try await openArchive(
            try self.archiveOptions.location(dataDirectory: self.dataDir.directory),
            dataDirectory: self.dataDir.directory,
            access: .readOnly,
            maxConnections: self.archiveOptions.maxConnections
        )
        var after: (timestamp: Int64, hash: MessageHash)?
        var text = ""
        while true {
            let page = try await archive.messages(
                from: self.from,
                to: self.to,
                pubsubTopic: self.pubsubTopic,
                contentTopics: self.contentTopic,
                after: after,
                limit: 1000
            )
            for stored in page {
                text += ArchiveJSONLine.encode(stored)
                text += "\n"
            }
            if text.utf8.count >= 1 << 20 || page.isEmpty {
                ArchiveConsole.write(text)
                text = ""
            }
            guard let last = page.last else { break }
            after = (last.archived.message.timestamp, last.archived.hash)
        }
        try await archive.close()
    }
}

/// `wakusync archive stats`: counts, sizes and topics of the archive.
struct ArchiveStatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Show how many messages the archive holds, their size, time span and topics."
    )

    @OptionGroup var dataDir: DataDirOptions

    @OptionGroup var archiveOptions: ArchiveOptions

    @OptionGroup var config: ConfigFileOption

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() async throws {
        let archive = try await openArchive(
            try self.archiveOptions.location(dataDirectory: self.dataDir.directory),
            dataDirectory: self.dataDir.directory,
            access: .readOnly,
            maxConnections: self.archiveOptions.maxConnections
        )
        let stats = try await archive.stats()
        try await archive.close()
        if self.json {
            let object: [String: Any] = [
                "count": stats.count,
                "payloadBytes": stats.payloadBytes,
                "databaseBytes": stats.databaseBytes,
                "oldestTimestamp": stats.oldestTimestamp.map { $0 as Any } ?? NSNull(),
                "newestTimestamp": stats.newestTimestamp.map { $0 as Any } ?? NSNull(),
                "pubsubTopics": stats.pubsubTopics,
                "contentTopics": stats.contentTopics,
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            ArchiveConsole.output(String(decoding: data, as: UTF8.self))
            return
        }
        var lines = [
            "archive        \(archive.location)",
            "messages       \(stats.count)",
            "payload bytes  \(stats.payloadBytes)",
            "database bytes \(stats.databaseBytes)",
            "oldest         \(Self.time(stats.oldestTimestamp))",
            "newest         \(Self.time(stats.newestTimestamp))",
        ]
        lines.append("pubsub topics")
        for (topic, count) in stats.pubsubTopics.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(String(count).leftPadded(to: 10))  \(topic)")
        }
        lines.append("content topics")
        for (topic, count) in stats.contentTopics.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(String(count).leftPadded(to: 10))  \(topic)")
        }
        ArchiveConsole.output(lines.joined(separator: "\n"))
    }

    private static func time(_ nanoseconds: Int64?) -> String {
        guard let nanoseconds else { return "-" }
        let date = Date(timeIntervalSince1970: Double(nanoseconds) / 1e9)
        return "\(nanoseconds) (\(date.formatted(.iso8601)))"
    }
}

/// Writes to standard output and error immediately (no stdio buffering), so a line is out
/// before the next step runs: the import's batch acknowledgements depend on it.
enum ArchiveConsole {
    static func output(_ line: String) {
        self.write(line + "\n")
    }

    static func error(_ line: String) {
        StandardStreams.write(line + "\n", to: .standardError)
    }

    /// Ends the process, as SIGPIPE would (status 141), once nobody reads the output: an import
    /// has committed every batch it acknowledged, an export has nothing left to say.
    static func write(_ text: String) {
        guard StandardStreams.write(text, to: .standardOutput) else { exit(141) }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: " ", count: max(0, width - self.count)) + self
    }
}
