internal import ArgumentParser
internal import CommandConfig

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
            Inspect.self,
            Bench.self,
            ManualCommand.self,
        ]
    )

    /// Expands `--config-file` into options before the parser sees the command line, so the file's
    /// values are checked exactly as typed ones are (``ConfigArguments``).
    ///
    /// `_dumpHelp()` is the parser's only public view of its definitions (the JSON behind
    /// `--experimental-dump-help`); underscored, so an update of swift-argument-parser may move it,
    /// and `CommandConfigTests` would then fail to build rather than the file go unread.
    static func main() async {
        let arguments: [String]
        do {
            arguments = try ConfigArguments.expand(Array(CommandLine.arguments.dropFirst())) { Wakusync._dumpHelp() }
        } catch {
            Self.exit(withError: CommandFailure(error.description))
        }
        await Self.main(arguments)
    }
}

/// The version reported by `--version` and in identify's agent string.
enum WakusyncVersion {
    static let current = "0.1.0"
}
