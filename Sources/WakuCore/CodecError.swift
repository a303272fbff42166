/// A failure to decode bytes that came from a peer or a file.
///
/// Carries a code to switch on, the byte offset where decoding stopped, and a detail a person
/// can read. Every decoder fed from outside throws this instead of trapping.
package struct CodecError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong, coarsely.
    package enum Code: String, Equatable, Sendable {
        case truncated
        case varintOverflow
        case invalidValue
        case tooLarge
        case missingField
        case invalidUTF8
        case overflow
        /// Well-formed, but beyond a limit the reader set (a size or count cap).
        case overLimit
    }

    package var code: Code
    /// Offset into the decoded buffer at which the problem was found.
    package var offset: Int
    package var detail: String

    package init(_ code: Code, at offset: Int, _ detail: String) {
        self.code = code
        self.offset = offset
        self.detail = detail
    }

    package var description: String { "\(self.code.rawValue) at byte \(self.offset): \(self.detail)" }
}
