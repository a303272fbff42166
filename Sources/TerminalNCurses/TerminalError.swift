/// Why the monitor cannot take over this terminal: an environment error, shown as one line.
package struct TerminalError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong, to switch on.
    package enum Code: Equatable, Sendable {
        case notATerminal
        case unsuitable
        case cannotOpen
        case logFile
    }

    /// What went wrong.
    package var code: Code
    /// The line shown to the operator; it points at `--headless` where that helps.
    package var detail: String

    /// An error with a code and a readable line.
    package init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    /// The line shown to the operator.
    package var description: String { self.detail }
}
