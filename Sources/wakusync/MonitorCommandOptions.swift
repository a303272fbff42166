internal import ArgumentParser

/// Options of the monitor shared by `run` and `demo`.
struct MonitorCommandOptions: ParsableArguments {
    @Flag(help: "Draw with ASCII only (no box drawing or blocks).")
    var ascii = false

    @Option(help: "Where log records go while the monitor owns the screen.")
    var logFile: String?
}
