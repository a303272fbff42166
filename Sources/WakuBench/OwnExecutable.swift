internal import Foundation

/// This process's own executable run as a child: how a bench isolates what it measures (a
/// scenario's peak memory, an idle node's CPU) from the bench itself.
enum OwnExecutable {
    /// Starts the executable with `arguments`; its standard output is the returned handle, its
    /// standard error this process's, or nothing when `quiet`.
    static func start(_ arguments: [String], quiet: Bool = false) throws -> (process: Process, output: FileHandle) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        if quiet { process.standardError = FileHandle.nullDevice }
        try process.run()
        return (process, output.fileHandleForReading)
    }

    /// Runs the executable with `arguments` to its end: its exit status and all it wrote to
    /// standard output.
    static func run(_ arguments: [String]) throws -> (status: Int32, output: Data) {
        let (process, output) = try Self.start(arguments)
        let data = output.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, data)
    }
}
