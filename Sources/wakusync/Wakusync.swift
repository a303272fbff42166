internal import ArgumentParser
internal import CommandConfig
internal import Foundation

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
            AuditCommand.self,
            QueryCommand.self,
            PublishCommand.self,
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
        let typed = Array(CommandLine.arguments.dropFirst())
        let arguments: [String]
        do {
            arguments = try ConfigArguments.expand(typed) { Wakusync._dumpHelp() }
        } catch {
            Self.exit(withError: CommandFailure(error.description))
        }
        // As AsyncParsableCommand.main(_:) does, but a value from the file that the parser or a
        // command's validate() refuses is reported with the file's name: the error names only
        // the option.
        var command: any ParsableCommand
        do {
            command = try await Self.asyncParseAsRoot(arguments)
        } catch {
            if arguments != typed, Self.exitCode(for: error) != .success,
                let path = try? ConfigArguments.path(in: typed)
            {
                FileHandle.standardError.write(Data("note: options were read from \(path) first\n".utf8))
            }
            Self.exit(withError: error)
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            Self.exit(withError: error)
        }
    }
}

/// The version reported by `--version` and in identify's agent string.
enum WakusyncVersion {
    static let current = "0.1.0"
}
