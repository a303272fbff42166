package import Foundation
internal import Synchronization

/// Runs a program to completion with a time limit and captures its output.
package struct ChildProcess: Sendable {
    package struct Result: Sendable {
        package var status: Int32
        package var stdout: String
        package var stderr: String
    }

    /// Runs `executable` with `arguments`, feeding `stdin`; kills it after `timeout`.
    package static func run(
        _ executable: URL,
        _ arguments: [String],
        stdin: Data = Data(),
        environment: [String: String]? = nil,
        timeout: Duration = .seconds(120)
    ) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let collector = OutputCollector(output: output, errors: errors)
        input.fileHandleForWriting.write(stdin)
        try input.fileHandleForWriting.close()
        if !process.waitForExit(within: timeout) {
            process.terminate()
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        let (stdout, stderr) = collector.finish()
        return Result(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }
}

extension Process {
    /// Waits up to `timeout` for the process to exit; false if it is still running. Polls, as
    /// `waitUntilExit()` cannot time out.
    package func waitForExit(within timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while self.isRunning {
            guard ContinuousClock.now < deadline else { return false }
            usleep(5_000)
        }
        return true
    }
}

/// Drains both pipes on background threads so a chatty child cannot block on a full pipe.
private final class OutputCollector: Sendable {
    private let group = DispatchGroup()
    private let stdout = LockedData()
    private let stderr = LockedData()

    init(output: Pipe, errors: Pipe) {
        for (pipe, sink) in [(output, self.stdout), (errors, self.stderr)] {
            let handle = pipe.fileHandleForReading
            DispatchQueue.global().async(group: self.group) { sink.set(handle.readDataToEndOfFile()) }
        }
    }

    func finish() -> (String, String) {
        self.group.wait()
        return (String(decoding: self.stdout.get(), as: UTF8.self), String(decoding: self.stderr.get(), as: UTF8.self))
    }
}

private final class LockedData: Sendable {
    private let data = Mutex(Data())

    func set(_ value: Data) { self.data.withLock { $0 = value } }
    func get() -> Data { self.data.withLock { $0 } }
}
