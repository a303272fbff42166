internal import Foundation

/// Writes to standard output or error at once (no stdio buffering) and without trapping:
/// Foundation's `FileHandle.write(_:)` traps when the reader has gone (EPIPE, since SIGPIPE is
/// ignored once SwiftNIO runs), which took a node down when `| head` exited.
enum StandardStreams {
    /// Whether all of `text` was written.
    @discardableResult
    static func write(_ text: String, to handle: FileHandle) -> Bool {
        do {
            try handle.write(contentsOf: Data(text.utf8))
            return true
        } catch {
            return false
        }
    }
}
