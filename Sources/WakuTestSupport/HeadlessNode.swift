package import Foundation

/// A `wakusync run --headless` child process on 127.0.0.1 (port 0, no periodic sync), for tests
/// that kill and restart real nodes.
package struct HeadlessNode: Sendable {
    package let process: Process
    /// Its full listen address, `/ip4/127.0.0.1/tcp/…/p2p/…`.
    package let address: String
    /// Its event lines after the address.
    package let lines: LineReader

    /// Starts the node on `dataDir` and waits for its address.
    package static func start(dataDir: String) async throws -> HeadlessNode {
        let process = Process()
        process.executableURL = Executables.wakusync
        process.arguments = [
            "run", "--headless", "--data-dir", dataDir, "--listen", "/ip4/127.0.0.1/tcp/0", "--store-sync-interval",
            "0",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let lines = LineReader(output.fileHandleForReading)
        let address = await lines.next() ?? ""
        return HeadlessNode(process: process, address: address, lines: lines)
    }

    /// SIGKILL, unless it already ended.
    package func kill() {
        if self.process.isRunning { Foundation.kill(self.process.processIdentifier, SIGKILL) }
    }
}
