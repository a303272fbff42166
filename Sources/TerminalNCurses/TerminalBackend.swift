package import MonitorUI

/// What the frame loop needs from a terminal: its size, the next input, and a way to show a
/// frame. ``CursesTerminal`` is the real one; tests drive the loop with a scripted fake.
package protocol TerminalBackend: AnyObject {
    /// The current size in cells.
    var size: Size { get }
    /// Waits at most `timeout` for input.
    func readInput(timeout: Duration) -> TerminalInput
    /// Shows `grid`, sending only what changed since the last frame.
    func paint(_ grid: CellGrid)
}

/// One thing a terminal reports.
package enum TerminalInput: Equatable, Sendable {
    case key(Key)
    /// The window changed size; ``TerminalBackend/size`` already has the new one.
    case resize
    /// The terminal went away (pty closed, SSH dropped).
    case hangUp
    /// Nothing arrived in time (or a signal interrupted the wait).
    case timeout
}

/// Why the monitor stopped.
package enum MonitorExit: Equatable, Sendable {
    /// The operator quit.
    case quit
    /// SIGINT, SIGTERM or SIGHUP arrived.
    case signal(Int32)
    /// The terminal went away without a SIGHUP.
    case hangUp
    /// The task running the monitor was cancelled.
    case cancelled
}
