internal import TerminalNCurses
internal import ArgumentParser

/// The options of every command that shows the monitor (`run`, `demo`); include them with
/// `@OptionGroup var monitor: MonitorArguments`.
struct MonitorArguments: ParsableArguments {
    @Flag(help: "Draw with ASCII only (also chosen when the locale is not UTF-8).")
    var ascii = false

    @Flag(help: "No colours (also when NO_COLOR is set or the terminal has none).")
    var noColor = false

    @Option(help: "Where logs and stderr go while the monitor owns the screen.")
    var logFile: String?

    @Option(help: "Frames per second of the monitor (1-30).")
    var fps = 10

    func validate() throws {
        guard (1...30).contains(self.fps) else { throw ValidationError("--fps must be 1…30") }
    }

    /// The monitor options, with `defaultLogFile` (e.g. in the data directory) when `--log-file`
    /// is not given.
    func options(defaultLogFile: String?) -> MonitorOptions {
        MonitorOptions(
            asciiOnly: self.ascii,
            noColor: self.noColor,
            logFile: self.logFile ?? defaultLogFile,
            framesPerSecond: self.fps
        )
    }
}
