internal import ArgumentParser

/// The `wakusync` command line (ARCHITECTURE.md §4).
@main
struct Wakusync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wakusync",
        abstract: "A Waku Store Sync node with a terminal monitor.",
        version: WakusyncVersion.current,
        subcommands: [
            ArchiveCommand.self,
            DemoCommand.self,
            RunCommand.self,
            SyncCommand.self,
            QueryCommand.self,
            PublishCommand.self,
            Inspect.self,
            Bench.self,
        ]
    )
}

/// The version reported by `--version` and in identify's agent string.
enum WakusyncVersion {
    static let current = "0.1.0"
}
