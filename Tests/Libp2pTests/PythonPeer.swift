import Foundation
import Synchronization
import Testing
import WakuTestSupport

/// Runs `Interop/py_peer.py` (py-libp2p) as a child process and hands its stdout lines over as
/// they come. The process is killed when the body returns or throws.
enum PythonPeer {
    static var python: URL { Executables.packageRoot.appendingPathComponent(".venv/bin/python") }

    static var script: URL {
        Executables.packageRoot.appendingPathComponent("Tests/Libp2pTests/Interop/py_peer.py")
    }

    /// Fails (never skips) when the venv is missing.
    static func requireVenv() throws {
        guard FileManager.default.isExecutableFile(atPath: self.python.path) else {
            Issue.record("py-libp2p venv missing: run scripts/setup-python.sh (it creates .venv with libp2p 0.8.1)")
            throw CancellationError()
        }
    }

    static func run<T>(_ arguments: [String], _ body: (Lines) async throws -> T) async throws -> T {
        try self.requireVenv()
        let process = Process()
        process.executableURL = self.python
        process.arguments = [self.script.path] + arguments
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        let lines = Lines()
        output.fileHandleForReading.readabilityHandler = { handle in lines.receive(handle.availableData) }
        errors.fileHandleForReading.readabilityHandler = { handle in lines.receiveError(handle.availableData) }
        try process.run()
        defer {
            try? input.fileHandleForWriting.close()
            if process.isRunning {
                process.terminate()
                kill(process.processIdentifier, SIGKILL)
            }
            process.waitUntilExit()
            output.fileHandleForReading.readabilityHandler = nil
            errors.fileHandleForReading.readabilityHandler = nil
        }
        return try await body(lines)
    }

    /// The child's stdout, line by line, and its stderr for failure messages.
    final class Lines: Sendable {
        private let state = Mutex<(partial: String, lines: [String], stderr: String, finished: Bool)>(
            ("", [], "", false)
        )

        func receive(_ data: Data) {
            self.state.withLock { state in
                if data.isEmpty {
                    state.finished = true
                    return
                }
                state.partial += String(decoding: data, as: UTF8.self)
                while let newline = state.partial.firstIndex(of: "\n") {
                    state.lines.append(String(state.partial[..<newline]))
                    state.partial = String(state.partial[state.partial.index(after: newline)...])
                }
            }
        }

        func receiveError(_ data: Data) {
            self.state.withLock { $0.stderr += String(decoding: data, as: UTF8.self) }
        }

        var stderr: String { self.state.withLock { String($0.stderr.suffix(4000)) } }

        /// The text after `prefix` on the first line that starts with it, waiting up to `timeout`.
        func first(_ prefix: String, timeout: Duration = .seconds(45)) async throws -> String {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                let found = self.state.withLock { state -> (String?, Bool) in
                    (state.lines.first { $0.hasPrefix(prefix) }, state.finished)
                }
                if let line = found.0 { return String(line.dropFirst(prefix.count)) }
                if found.1 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            Issue.record("py-libp2p printed no '\(prefix)' line; stderr:\n\(self.stderr)")
            throw CancellationError()
        }
    }
}
