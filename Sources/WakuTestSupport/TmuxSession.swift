package import Foundation

#if canImport(Glibc)
internal import Glibc
#endif

/// A program running in a tmux pane on a private server, for tests of the real terminal UI.
///
/// The server uses its own socket (`tmux -L`), so tests never touch a developer's sessions; it
/// is killed by ``kill()`` (call it in `defer`) or at deinit. The command runs under `sh` with
/// `stty -g` recorded before and after, so ``exitReport()`` tells whether the program left the
/// terminal as it found it.
package final class TmuxSession: Sendable {
    /// What the wrapped command left behind when it exited.
    package struct ExitReport: Equatable, Sendable {
        /// The command's exit status.
        package var status: Int32
        /// `stty -g` after the program equals `stty -g` before it.
        package var terminalRestored: Bool
    }

    /// The private server's socket name (`tmux -L`).
    package let socket: String
    /// The session and pane name.
    package let target = "monitor"
    private let directory: TemporaryDirectory

    /// Starts `command` (a shell command line) in a `width`×`height` pane.
    ///
    /// - Parameters:
    ///   - command: run by the pane's shell in a subshell, in `workingDirectory`.
    ///   - width: columns of the pane.
    ///   - height: rows of the pane.
    ///   - environment: extra variables for the command (`TERM` defaults to `tmux-256color`,
    ///     `LANG` to `C.UTF-8`).
    ///   - workingDirectory: where the command starts; the package root by default.
    /// - Throws: ``TmuxError`` when tmux cannot start.
    package init(
        command: String,
        width: Int,
        height: Int,
        environment: [String: String] = [:],
        workingDirectory: URL = Executables.packageRoot
    ) throws {
        self.directory = try TemporaryDirectory(prefix: "wakusync-tmux")
        self.socket = "wakusync-test-\(UUID().uuidString.prefix(8))"
        var variables = ["TERM": "tmux-256color", "LANG": "C.UTF-8"]
        variables.merge(environment) { $1 }
        let exports = variables.sorted { $0.key < $1.key }.map { "export \($0.key)=\(Self.quoted($0.value));" }
        let report = self.directory.file("exit").path
        let script = """
            cd \(Self.quoted(workingDirectory.path)); \(exports.joined(separator: " ")) \
            before=$(stty -g); ( \(command) ); status=$?; after=$(stty -g); \
            if [ "$before" = "$after" ]; then same=yes; else same=no; fi; \
            echo "$status $same" > \(Self.quoted(report)).tmp; mv \(Self.quoted(report)).tmp \(Self.quoted(report)); \
            sleep 600
            """
        try self.startServer([
            "-f", "/dev/null", "new-session", "-d", "-s", self.target, "-x", "\(width)", "-y", "\(height)", script,
        ])
    }

    deinit {
        self.kill()
    }

    /// The pane's text, one line per row.
    package func capture() throws -> String {
        try self.tmux(["capture-pane", "-p", "-t", self.target])
    }

    /// The pane with SGR colour codes, trailing spaces kept (for ansi2png.py and colour checks).
    package func captureWithEscapes() throws -> String {
        try self.tmux(["capture-pane", "-p", "-e", "-N", "-t", self.target])
    }

    /// Polls the pane until `predicate` holds, returning that capture; throws after `timeout`.
    @discardableResult
    package func waitUntil(
        timeout: Duration = .seconds(30),
        _ description: String,
        _ predicate: (String) -> Bool
    ) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        var last = ""
        while ContinuousClock.now < deadline {
            last = try self.capture()
            if predicate(last) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TmuxError("timed out after \(timeout) waiting for \(description); the pane shows:\n\(last)")
    }

    /// Polls the pane until it shows `text`.
    @discardableResult
    package func waitFor(_ text: String, timeout: Duration = .seconds(30)) async throws -> String {
        try await self.waitUntil(timeout: timeout, "\"\(text)\"") { $0.contains(text) }
    }

    /// Sends keys as tmux names them: `"s"`, `"Enter"`, `"Tab"`, `"C-c"`, `"Escape"`, `"Up"`.
    package func send(_ keys: String...) throws {
        try self.tmux(["send-keys", "-t", self.target] + keys)
    }

    /// Types text literally.
    package func type(_ text: String) throws {
        try self.tmux(["send-keys", "-t", self.target, "-l", text])
    }

    /// Resizes the window; the program gets SIGWINCH.
    package func resize(width: Int, height: Int) throws {
        try self.tmux(["resize-window", "-t", self.target, "-x", "\(width)", "-y", "\(height)"])
    }

    /// Waits for the command to exit and returns its status and whether the terminal settings
    /// were restored.
    package func exitReport(timeout: Duration = .seconds(30)) async throws -> ExitReport {
        let deadline = ContinuousClock.now + timeout
        let file = self.directory.file("exit")
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOf: file, encoding: .utf8) {
                let fields = text.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
                if fields.count == 2, let status = Int32(fields[0]) {
                    return ExitReport(status: status, terminalRestored: fields[1] == "yes")
                }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TmuxError("the command did not exit within \(timeout); the pane shows:\n\((try? self.capture()) ?? "")")
    }

    /// Kills the private server and everything in it, and removes the scratch directory.
    package func kill() {
        _ = try? ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/tmux"),
            ["-L", self.socket, "kill-server"],
            timeout: .seconds(10)
        )
        let socketDirectory = ProcessInfo.processInfo.environment["TMUX_TMPDIR"] ?? "/tmp"
        try? FileManager.default.removeItem(atPath: "\(socketDirectory)/tmux-\(getuid())/\(self.socket)")
        self.directory.remove()
    }

    /// Starts the server with the first command.
    ///
    /// The server is forked from that tmux client and inherits its descriptors: the one
    /// Foundation's `Process` watches to notice the child's exit (so `Process` would wait for the
    /// server's whole life, or, if the descriptor is closed, report the exit too early) and the
    /// pipes of tests running in parallel. So it is started with `posix_spawn` and `waitpid`, through
    /// bash, which closes every descriptor above 2 and detaches stdio first. The spawn also clears
    /// the signal mask and dispositions the test process's threads carry (the server and the
    /// program in its pane would otherwise never see SIGWINCH, SIGCHLD or SIGINT).
    private func startServer(_ arguments: [String]) throws {
        let command = (["/usr/bin/tmux", "-L", self.socket] + arguments).map(Self.quoted).joined(separator: " ")
        let script = """
            for fd in /proc/$$/fd/*; do n=${fd##*/}; if [ "$n" -gt 2 ]; then eval "exec $n>&-"; fi; done; \
            exec \(command) </dev/null >/dev/null 2>&1
            """
        let environment = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
        let status = Self.spawnAndWait(["/bin/bash", "-c", script], environment: environment)
        guard status == 0 else { throw TmuxError("tmux new-session failed (status \(status))") }
    }

    private static func spawnAndWait(_ arguments: [String], environment: [String]) -> Int32 {
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in Int32(1)..<32 where signal != SIGKILL && signal != SIGSTOP { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        guard posix_spawn(&pid, arguments[0], nil, &attributes, argv, envp) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS, which Swift does not import.
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : -1
    }

    @discardableResult
    private func tmux(_ arguments: [String]) throws -> String {
        let result = try ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/tmux"),
            ["-L", self.socket] + arguments,
            timeout: .seconds(10)
        )
        guard result.status == 0 else {
            throw TmuxError("tmux \(arguments.first ?? "") failed (\(result.status)): \(result.stderr)")
        }
        return result.stdout
    }

    private static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// A tmux step that failed or timed out.
package struct TmuxError: Error, CustomStringConvertible {
    /// What failed, with the pane's text where it helps.
    package var description: String

    /// An error saying `description`.
    package init(_ description: String) {
        self.description = description
    }
}
