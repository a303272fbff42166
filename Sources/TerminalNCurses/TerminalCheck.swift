#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// The checks made before curses touches anything, so an unsuitable terminal is refused with a
/// clear line and left exactly as it was.
package enum TerminalCheck {
    /// Throws when stdin/stdout is not a terminal or `TERM` is missing or `dumb`.
    package static func verify(environment: [String: String]) throws(TerminalError) {
        guard isatty(0) == 1, isatty(1) == 1 else {
            throw TerminalError(
                .notATerminal,
                "stdin/stdout is not a terminal; run with --headless for log lines instead"
            )
        }
        let term = environment["TERM"] ?? ""
        if term.isEmpty {
            throw TerminalError(
                .unsuitable,
                "TERM is not set; set it (e.g. TERM=xterm-256color) or run with --headless"
            )
        }
        if term == "dumb" {
            throw TerminalError(
                .unsuitable,
                "terminal type 'dumb' is unsuitable: no cursor addressing (cup); use --headless"
            )
        }
    }
}
