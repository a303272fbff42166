/// Why the monitor cannot take over this terminal: an environment error, shown as one line.
package struct TerminalError: Error, Equatable, Sendable, CustomStringConvertible {
    package enum Code: Equatable, Sendable {
        case notATerminal
        case unsuitable
        case cannotOpen
        case logFile
    }

    package var code: Code
    package var detail: String

    package init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    package var description: String { self.detail }
}
