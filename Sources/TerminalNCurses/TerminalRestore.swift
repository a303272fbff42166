internal import CTerminalRestore

/// Crash-time terminal restore (the `CTerminalRestore` C target): while armed, a crash or an
/// `exit()` restores the saved terminal settings, leaves the alternate screen and points fd 2
/// back at the real stderr before Swift's backtracer prints its report.
package enum TerminalRestore {
    /// Saves the terminal settings (call before curses changes them) and arms the handlers.
    /// - Parameter originalStandardError: a descriptor of the real stderr while fd 2 points at
    ///   the log file, or -1.
    package static func arm(originalStandardError: Int32) {
        _ = terminal_restore_save(originalStandardError)
        terminal_restore_install()
    }

    /// Disarms after a normal teardown (curses has restored the terminal itself).
    package static func disarm() {
        terminal_restore_uninstall()
    }
}
