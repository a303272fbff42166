/// Numbers, sizes, durations and identifiers as an operator reads them: with units, short, and
/// without Foundation (MonitorUI sees only NodeEvents).
package enum Format {
    /// Nanoseconds per second, for the wall-clock timestamps NodeEvents carry.
    package static let nanosecondsPerSecond: Int64 = 1_000_000_000

    /// `12,345`.
    package static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return value < 0 ? "-" + result : result
    }

    /// `999`, `12.3k`, `4.5M`: for narrow columns.
    package static func compactCount(_ value: Int) -> String {
        let magnitude = Double(value.magnitude)
        let sign = value < 0 ? "-" : ""
        switch magnitude {
        case ..<10_000: return String(value)
        case ..<1_000_000: return sign + Self.decimal(magnitude / 1_000) + "k"
        case ..<1_000_000_000: return sign + Self.decimal(magnitude / 1_000_000) + "M"
        default: return sign + Self.decimal(magnitude / 1_000_000_000) + "G"
        }
    }

    /// `512 B`, `3.2 KiB`, `120 MiB`.
    package static func bytes(_ value: Int) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB"]
        guard value.magnitude >= 1024 else { return "\(value) B" }
        var scaled = Double(value) / 1024
        var unit = 0
        while scaled.magnitude >= 1024 && unit < units.count - 1 {
            scaled /= 1024
            unit += 1
        }
        return Self.decimal(scaled) + " " + units[unit]
    }

    /// `0.4ms`, `120ms`, `2.1s`, `4m58s`, `1h02m`, `3d04h`.
    package static func duration(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0, attoseconds >= 0 else { return "0s" }
        if seconds == 0 {
            let milliseconds = Double(attoseconds) / 1e15
            return milliseconds < 10 ? Self.decimal(milliseconds) + "ms" : "\(Int(milliseconds.rounded()))ms"
        }
        if seconds < 10 { return Self.decimal(Double(seconds) + Double(attoseconds) / 1e18) + "s" }
        return Self.span(seconds: seconds)
    }

    /// Whole seconds as `12s`, `4m58s`, `1h02m`, `3d04h`.
    package static func span(seconds: Int64) -> String {
        switch seconds {
        case ..<60: "\(max(0, seconds))s"
        case ..<3600: "\(seconds / 60)m\(Self.twoDigits(seconds % 60))s"
        case ..<86400: "\(seconds / 3600)h\(Self.twoDigits(seconds % 3600 / 60))m"
        default: "\(seconds / 86400)d\(Self.twoDigits(seconds % 86400 / 3600))h"
        }
    }

    /// A span between two wall-clock timestamps in nanoseconds.
    package static func span(from start: Int64, to end: Int64) -> String {
        Self.span(seconds: (end - start) / Self.nanosecondsPerSecond)
    }

    /// `just now`, `12s ago`, `4m ago`, `2h ago`, `3d ago`.
    package static func ago(_ timestamp: Int64, now: Int64) -> String {
        let seconds = (now - timestamp) / Self.nanosecondsPerSecond
        switch seconds {
        case ..<1: return "just now"
        case ..<60: return "\(seconds)s ago"
        case ..<3600: return "\(seconds / 60)m ago"
        case ..<86400: return "\(seconds / 3600)h ago"
        default: return "\(seconds / 86400)d ago"
        }
    }

    /// `0/s`, `0.4/s`, `12/s`, `1.2k/s`.
    package static func rate(_ perSecond: Double) -> String {
        guard perSecond.isFinite, perSecond > 0.05 else { return "0/s" }
        if perSecond < 10 { return Self.decimal(perSecond) + "/s" }
        if perSecond < 10_000 { return "\(Int(perSecond.rounded()))/s" }
        return Self.decimal(perSecond / 1000) + "k/s"
    }

    /// `42%`, from a fraction 0…1.
    package static func percent(_ fraction: Double) -> String {
        "\(Int((min(1, max(0, fraction)) * 100).rounded(.down)))%"
    }

    /// `HH:MM:SS` of a wall-clock timestamp (nanoseconds since the epoch) shifted by `utcOffset`
    /// seconds.
    package static func clock(_ timestamp: Int64, utcOffset: Int) -> String {
        let seconds = Self.floorDivide(timestamp, Self.nanosecondsPerSecond) + Int64(utcOffset)
        let day = ((seconds % 86400) + 86400) % 86400
        return "\(Self.twoDigits(day / 3600)):\(Self.twoDigits(day % 3600 / 60)):\(Self.twoDigits(day % 60))"
    }

    /// `HH:MM:SS.mmm`.
    package static func clockMilliseconds(_ timestamp: Int64, utcOffset: Int) -> String {
        let millis =
            ((timestamp % Self.nanosecondsPerSecond) + Self.nanosecondsPerSecond) % Self.nanosecondsPerSecond
            / 1_000_000
        let padded = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return Self.clock(timestamp, utcOffset: utcOffset) + "." + padded
    }

    /// `2025-06-15`: the UTC date of a wall-clock timestamp (nanoseconds since the epoch).
    package static func date(_ timestamp: Int64) -> String {
        // Days to the civil calendar in eras of 400 years (Howard Hinnant's algorithm), so no
        // Foundation calendar is needed.
        let days = Self.floorDivide(Self.floorDivide(timestamp, Self.nanosecondsPerSecond), 86_400) + 719_468
        let era = Self.floorDivide(days, 146_097)
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return "\(year)-\(Self.twoDigits(month))-\(Self.twoDigits(day))"
    }

    /// `HH:MM` in UTC.
    package static func utcMinute(_ timestamp: Int64) -> String {
        String(Self.clock(timestamp, utcOffset: 0).prefix(5))
    }

    /// `16Uiu2HAm…x7Q` (`16Uiu2H...x7Q` with an ASCII ellipsis): a peer ID in 13 cells, ending in
    /// its last three characters.
    package static func peerID(_ id: String, ellipsis: String) -> String {
        guard id.count > 13 else { return id }
        return String(id.prefix(10 - ellipsis.unicodeScalars.count)) + ellipsis + String(id.suffix(3))
    }

    /// `3f2a9c…9c1d`: the first six and last four hex digits of a hash.
    package static func hash(_ hex: String, ellipsis: String) -> String {
        guard hex.count > 12 else { return hex }
        return String(hex.prefix(6)) + ellipsis + String(hex.suffix(4))
    }

    /// `text`, shortened with `ellipsis` to at most `width` cells.
    package static func fit(_ text: String, width: Int, ellipsis: String) -> String {
        guard width > 0 else { return "" }
        let count = text.unicodeScalars.count
        guard count > width else { return text }
        let ellipsisCount = ellipsis.unicodeScalars.count
        guard width > ellipsisCount else {
            return String(String.UnicodeScalarView(ellipsis.unicodeScalars.prefix(width)))
        }
        return String(String.UnicodeScalarView(text.unicodeScalars.prefix(width - ellipsisCount))) + ellipsis
    }

    /// One decimal below 100, none above: `3.2`, `42.0`, `120`.
    static func decimal(_ value: Double) -> String {
        if value.magnitude >= 100 { return String(Int(value.rounded())) }
        let tenths = Int((value * 10).rounded())
        let sign = tenths < 0 ? "-" : ""
        return "\(sign)\(tenths.magnitude / 10).\(tenths.magnitude % 10)"
    }

    private static func twoDigits(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor)
    }

    /// The archive backend in a few characters for the header: `sqlite`, or `pg host/db` for a
    /// `postgres://user@host:port/db` location (the pane shows the whole location).
    package static func archiveBackend(_ location: String) -> String {
        guard location.hasPrefix("postgres://") else { return "sqlite" }
        let rest = location.dropFirst("postgres://".count)
        let afterUser = rest.split(separator: "@", maxSplits: 1).last ?? rest
        let host = afterUser.prefix { $0 != ":" && $0 != "/" }
        let path = afterUser.firstIndex(of: "/").map { afterUser[afterUser.index(after: $0)...] } ?? ""
        let database = path.prefix { $0 != "?" }
        return "pg \(host.isEmpty ? "socket" : String(host))/\(database)"
    }
}
