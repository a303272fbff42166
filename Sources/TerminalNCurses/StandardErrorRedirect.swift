#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Points fd 2 at the log file while the monitor owns the screen, so nothing written to stderr
/// (a runtime error message, a stray print from a dependency) can corrupt it.
package final class StandardErrorRedirect {
    /// A duplicate of the original stderr, valid until ``restore()``.
    package let original: Int32
    private var isRestored = false

    /// Opens `path` for appending (created if missing) and points fd 2 at it.
    package init(path: String) throws(TerminalError) {
        let file = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard file >= 0 else {
            throw TerminalError(.logFile, "cannot open the log file \(path): \(String(cString: strerror(errno)))")
        }
        defer { Glibc.close(file) }
        self.original = dup(2)
        guard self.original >= 0, dup2(file, 2) >= 0 else {
            throw TerminalError(.logFile, "cannot redirect stderr to \(path)")
        }
    }

    deinit {
        self.restore()
    }

    /// Points fd 2 back at the original stderr. Safe to call twice.
    package func restore() {
        guard !self.isRestored else { return }
        self.isRestored = true
        dup2(self.original, 2)
        Glibc.close(self.original)
    }
}
