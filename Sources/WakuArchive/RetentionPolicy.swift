internal import WakuCore

/// How long the archive keeps messages, in nwaku's `--store-message-retention-policy` syntax
/// (PROTOCOLS.md §6.4; nwaku `waku/waku_archive/retention_policy/builder.nim`).
///
/// The thresholds mirror nwaku's policies, which delete in batches rather than one message at
/// a time:
///
/// - `time:SECONDS`: once the oldest message is more than 110 % of the retention time old,
///   delete every message older than the retention time.
/// - `capacity:COUNT`: once 130 % of COUNT messages are stored, delete the oldest down to
///   115 % of COUNT.
/// - `size:N(KB|MB|GB)` (binary units; nwaku knows MB and GB only, KB is ours): once the
///   database's used pages reach the size, delete the oldest 20 % of the messages. nwaku measures
///   the file's page count, which never shrinks without a VACUUM, so it deletes 20 % on every
///   run after the limit was first reached; we count pages in use (page count minus free pages).
///
/// "Oldest" is (timestamp, hash) order, as in nwaku.
package enum RetentionPolicy: Hashable, Sendable, CustomStringConvertible {
    /// Keep everything (`none` or an empty string).
    case unlimited
    case time(seconds: Int64)
    case capacity(messages: Int)
    case size(bytes: Int64)

    /// nwaku's default: two days.
    package static let nwakuDefault = RetentionPolicy.time(seconds: 172_800)
    /// How often the node applies the policy (nwaku: every 30 minutes).
    package static let interval: Duration = .seconds(30 * 60)
    /// How soon the node retries after a failed run (nwaku: one minute).
    package static let retryInterval: Duration = .seconds(60)

    /// Parses nwaku's syntax, case-insensitively: `time:SECONDS`, `capacity:COUNT`,
    /// `size:N(KB|MB|GB)` (N may have a fraction, e.g. `size:1.5GB`), or `none`.
    ///
    /// - Throws: ``ArchiveError/Code/invalidRetentionPolicy`` naming what is wrong and the
    ///   expected syntax.
    package init(parsing text: String) throws(ArchiveError) {
        let policy = text.trimmingSpaces.lowercased()
        if policy.isEmpty || policy == "none" {
            self = .unlimited
            return
        }
        guard let colon = policy.firstIndex(of: ":") else {
            throw Self.invalid(text, "expected KIND:VALUE")
        }
        let kind = policy[..<colon]
        let value = String(policy[policy.index(after: colon)...])
        switch kind {
        case "time":
            // The retention time is used in nanoseconds, which must fit an Int64 (292 years).
            guard let seconds = Self.wholeNumber(value),
                !seconds.multipliedReportingOverflow(by: 1_000_000_000).overflow
            else {
                throw Self.invalid(text, "time takes a whole number of seconds, e.g. time:172800")
            }
            self = .time(seconds: seconds)
        case "capacity":
            guard let count = Self.wholeNumber(value), let messages = Int(exactly: count) else {
                throw Self.invalid(text, "capacity takes a whole number of messages, e.g. capacity:25000")
            }
            self = .capacity(messages: messages)
        case "size":
            self = .size(bytes: try Self.bytes(value, text))
        default:
            throw Self.invalid(text, "unknown kind '\(kind)'")
        }
    }

    /// The policy in nwaku's syntax (sizes in bytes).
    package var description: String {
        switch self {
        case .unlimited: "none"
        case .time(let seconds): "time:\(seconds)"
        case .capacity(let messages): "capacity:\(messages)"
        case .size(let bytes): "size:\(bytes) bytes"
        }
    }

    private static func wholeNumber(_ text: String) -> Int64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        return Int64(text)
    }

    private static func bytes(_ value: String, _ text: String) throws(ArchiveError) -> Int64 {
        let units: [(suffix: String, multiplier: Double)] = [
            ("kb", 1024), ("mb", 1024 * 1024), ("gb", 1024 * 1024 * 1024),
        ]
        guard let unit = units.first(where: { value.hasSuffix($0.suffix) }) else {
            throw Self.invalid(text, "size needs a unit, KB, MB or GB, e.g. size:30GB")
        }
        let number = String(value.dropLast(2))
        // nwaku's pattern for the number: digits, optionally with one decimal point.
        let isNumber =
            !number.isEmpty && number.filter { $0 == "." }.count <= 1 && number.last != "."
            && number.allSatisfy { $0 == "." || $0.isASCII && $0.isNumber }
        guard isNumber, let quantity = Double(number) else {
            throw Self.invalid(text, "size takes a number followed by KB, MB or GB, e.g. size:1.5GB")
        }
        let bytes = quantity * unit.multiplier
        guard bytes >= 1, bytes < Double(Int64.max) else {
            throw Self.invalid(text, "size must be at least one byte and less than 8 EiB")
        }
        return Int64(bytes)
    }

    private static func invalid(_ text: String, _ reason: String) -> ArchiveError {
        ArchiveError(
            .invalidRetentionPolicy,
            "invalid retention policy '\(text)': \(reason) (syntax: time:SECONDS, capacity:COUNT, "
                + "size:N(KB|MB|GB) or none)"
        )
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(self.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}

extension RetentionPolicy {
    /// For `time:SECONDS` at `now`: the cutoff (messages before it go) and the threshold the
    /// oldest message must be below before anything goes (nwaku: 110 % of the retention time).
    package func timeCutoff(now: Int64, seconds: Int64) -> (cutoff: Int64, threshold: Int64) {
        let retention = seconds &* 1_000_000_000
        let cutoff = now.subtractingSaturated(retention)
        return (cutoff, cutoff.subtractingSaturated(retention / 10))
    }

    /// For `capacity:COUNT`: the stored count that triggers a run and the count a run keeps.
    /// nwaku's arithmetic, floating point included: keep at most 130 %, delete down to capacity
    /// plus half the overflow window.
    package static func capacityBounds(_ capacity: Int) -> (threshold: Int, keep: Int) {
        (Int(Double(capacity) * 1.3), capacity + Int(Double(capacity) * (1.3 - 1)) / 2)
    }
}

/// What one retention run removed (``MessageArchive/apply(_:now:itemizingFrom:)``).
package struct RetentionOutcome: Hashable, Sendable {
    /// Messages deleted, in all.
    package var deleted: Int
    /// The deleted messages at or after the caller's `itemizingFrom`, in (timestamp, hash) order.
    package var itemized: [ArchiveDeletion]

    /// An outcome; empty by default.
    package init(deleted: Int = 0, itemized: [ArchiveDeletion] = []) {
        self.deleted = deleted
        self.itemized = itemized
    }
}
