/// A failure of the message archive, or of input meant for it.
///
/// Carries a code to switch on and a detail a person can read; a database failure keeps the
/// original error as ``underlying``.
package struct ArchiveError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, coarsely.
    package enum Code: String, Hashable, Sendable {
        /// SQLite or GRDB reported an error (I/O, locking, corruption, ...).
        case database
        /// The database was written by a newer wakusync (unknown migrations).
        case incompatibleSchema
        /// A retention policy string did not parse.
        case invalidRetentionPolicy
        /// A JSON-lines record did not parse or did not check out.
        case invalidLine
        /// There is no archive where one was expected.
        case notFound
        /// A `--store-message-db-url` that cannot be used.
        case invalidLocation
        /// The database belongs to something else: a SQLite file that is not a wakusync archive,
        /// or a PostgreSQL database in another schema version than nwaku's 7.
        case foreignDatabase
    }

    /// What kind of failure this is.
    package var code: Code
    /// What happened, for a person.
    package var detail: String
    /// The error that caused this one, if any.
    package var underlying: (any Error)?

    /// An error of kind `code`, optionally caused by `underlying`.
    package init(_ code: Code, _ detail: String, underlying: (any Error)? = nil) {
        self.code = code
        self.detail = detail
        self.underlying = underlying
    }

    /// `code: detail`, followed by the underlying error if there is one.
    package var description: String {
        if let underlying { return "\(self.code.rawValue): \(self.detail): \(underlying)" }
        return "\(self.code.rawValue): \(self.detail)"
    }
}
