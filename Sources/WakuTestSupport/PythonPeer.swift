package import Foundation
internal import Synchronization

/// Runs a py-libp2p script from the package (with the venv that scripts/setup-python.sh makes) as
/// a child process and hands its stdout lines over as they come. The process is killed when the
/// body returns or throws.
package enum PythonPeer {
    /// A failure to run the script or to get an expected line out of it; the text says why.
    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    /// The venv's interpreter.
    package static var python: URL { Executables.packageRoot.appendingPathComponent(".venv/bin/python") }

    /// Throws (the tests fail, never skip) when the venv is missing.
    package static func requireVenv() throws {
        guard FileManager.default.isExecutableFile(atPath: self.python.path) else {
            throw Failure(
                description: "py-libp2p venv missing: run scripts/setup-python.sh (it creates .venv with libp2p 0.8.1)"
            )
        }
    }

    /// Runs `script` (a path relative to the package root) with `arguments` around `body`.
    ///
    /// The child's stdin stays open while `body` runs, so scripts can serve until it closes.
    package static func run<T>(
        _ script: String,
        _ arguments: [String],
        _ body: (Lines) async throws -> T
    ) async throws -> T {
        try self.requireVenv()
        let process = Process()
        process.executableURL = self.python
        process.arguments = [Executables.packageRoot.appendingPathComponent(script).path] + arguments
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
    package final class Lines: Sendable {
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

        /// The last 4000 characters the child wrote to stderr.
        package var stderr: String { self.state.withLock { String($0.stderr.suffix(4000)) } }

        /// The text after `prefix` of every line so far that starts with it.
        package func all(_ prefix: String) -> [String] {
            self.state.withLock { state in
                state.lines.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
            }
        }

        /// The text after `prefix` on the first line that starts with it and satisfies `matches`,
        /// waiting up to `timeout`.
        ///
        /// - Throws: ``Failure`` with the child's stderr when no such line came in time or the
        ///   child closed its stdout first.
        package func first(
            _ prefix: String,
            timeout: Duration = .seconds(45),
            where matches: (String) -> Bool = { _ in true }
        ) async throws -> String {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                let (texts, finished) = self.state.withLock { state in
                    (
                        state.lines.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) },
                        state.finished
                    )
                }
                if let text = texts.first(where: matches) { return text }
                if finished { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            throw Failure(description: "the python peer printed no matching '\(prefix)' line; stderr:\n\(self.stderr)")
        }

        /// Like ``first(_:timeout:where:)``, parsed as a JSON object.
        package func json(
            _ prefix: String,
            timeout: Duration = .seconds(45),
            where matches: (String) -> Bool = { _ in true }
        ) async throws -> [String: Any] {
            let text = try await self.first(prefix, timeout: timeout, where: matches)
            guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                throw Failure(description: "'\(prefix)' line is not a JSON object: \(text)")
            }
            return object
        }
    }
}
