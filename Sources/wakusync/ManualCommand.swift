internal import ArgumentParser
internal import CommandConfig

/// `wakusync manual`: prints wakusync(1), for `scripts/install-extras.sh`. Hidden: it is for
/// installers, not for the operator's daily use.
struct ManualCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manual",
        abstract: "Print the man page (roff) from the command line's own definitions.",
        shouldDisplay: false
    )

    func run() throws {
        let definitions = try CommandDefinitions(dump: Wakusync._dumpHelp())
        print(ManualPage(root: definitions.command, version: WakusyncVersion.current).text, terminator: "")
    }
}
