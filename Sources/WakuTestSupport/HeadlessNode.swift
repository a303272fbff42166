package import Foundation

#if canImport(Glibc)
internal import Glibc
#endif

/// A `wakusync run --headless` child process on 127.0.0.1 (port 0, no periodic sync), for tests
/// that kill and restart real nodes.
package struct HeadlessNode: Sendable {
    package let process: Process
    /// Its full listen address, `/ip4/127.0.0.1/tcp/…/p2p/…`.
    package let address: String
    /// Its event lines after the address.
    package let lines: LineReader

    /// Starts the node on `dataDir` and waits for its address. `pipeCapacity` shrinks the pipe
    /// its output goes to (Linux rounds it up to a page), for tests of a reader that stops reading.
    package static func start(
        dataDir: String,
        pipeCapacity: Int32? = nil,
        arguments extra: [String] = []
    ) async throws -> HeadlessNode {
        let process = Process()
        process.executableURL = Executables.wakusync
        process.arguments =
            [
                "run", "--headless", "--data-dir", dataDir, "--listen", "/ip4/127.0.0.1/tcp/0", "--store-sync-interval",
                "0",
            ] + extra
        let output = Pipe()
        if let pipeCapacity {
            // F_SETPIPE_SZ, which Glibc's module leaves out (it needs _GNU_SOURCE).
            _ = fcntl(output.fileHandleForWriting.fileDescriptor, 1031, pipeCapacity)
        }
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let lines = LineReader(output.fileHandleForReading)
        let address = await lines.next() ?? ""
        return HeadlessNode(process: process, address: address, lines: lines)
    }

    /// Closes our end of its output pipe, as a reader that exits does (`| head`).
    package func closeOutput() {
        self.lines.close()
    }

    /// Its resident memory now and its peak so far (`VmRSS`, `VmHWM` in `/proc/<pid>/status`), bytes.
    package func memory() -> (resident: Int, peak: Int) {
        let status =
            (try? String(contentsOfFile: "/proc/\(self.process.processIdentifier)/status", encoding: .utf8)) ?? ""
        func field(_ name: String) -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return 0 }
            return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1_024
        }
        return (field("VmRSS"), field("VmHWM"))
    }

    /// SIGKILL, unless it already ended.
    package func kill() {
        if self.process.isRunning { Foundation.kill(self.process.processIdentifier, SIGKILL) }
    }

    /// SIGTERM, then waits up to `timeout` for the node to exit; false if it did not.
    package func terminate(within timeout: Duration = .seconds(20)) -> Bool {
        Foundation.kill(self.process.processIdentifier, SIGTERM)
        return self.process.waitForExit(within: timeout)
    }
}
