package import NodeEvents

/// The Audit view's heat map over one report: a row per UTC day of the span, a cell per hour,
/// and what each cell says; also where the hour cursor may go.
///
/// Pure geometry over the report: the reducer moves the cursor with it and the pane draws it.
package struct AuditMap: Sendable {
    /// What one hour cell says.
    package enum Mark: Equatable, Sendable {
        /// Outside the span, or in a differing day whose hours the audit did not reach.
        case notAudited
        /// The hour agrees (or its whole day does).
        case agrees
        /// The hour differs; `level` 0, 1 or 2 for 1–9, 10–99 or 100 and more hashes lacking on
        /// either side (0 too when the audit did not reach the minutes).
        case differs(level: Int)
    }

    /// What the map knows about the hour under the cursor.
    struct Spot {
        let day: AuditDay
        /// The hour's index in the day, 0…23.
        let hour: Int
        /// The hour's figures, when the audit went down to it.
        let detail: AuditHour?
        let mark: Mark
        var start: Int64 { self.day.start + Int64(self.hour) * AuditMap.hour }
    }

    static let hour: Int64 = 3_600 * Format.nanosecondsPerSecond
    static let day: Int64 = 24 * Self.hour
    /// Hours per row.
    static let hoursPerDay = 24

    /// The report drawn.
    package let report: AuditReport

    /// The map of `report`.
    package init(report: AuditReport) {
        self.report = report
    }

    /// The mark of hour `hour` (0…23) of `day`.
    package func mark(_ day: AuditDay, hour: Int) -> Mark {
        let start = day.start + Int64(hour) * Self.hour
        guard start + Self.hour > self.report.from, start < self.report.to else { return .notAudited }
        if day.agrees { return .agrees }
        guard let detail = day.hours.first(where: { $0.start == start }) else { return .notAudited }
        return detail.agrees ? .agrees : .differs(level: Self.level(detail.differences))
    }

    static func level(_ differences: Int) -> Int { differences >= 100 ? 2 : differences >= 10 ? 1 : 0 }

    /// The hour the cursor is on: `requested` when it lies on the map, else the first hour that
    /// differs, else the last hour audited. Nil when the report has no days.
    package func cursor(_ requested: Int64?) -> Int64? {
        guard let first = self.report.days.first?.start, let last = self.report.days.last?.start else { return nil }
        let end = last + Self.day
        if let requested, requested >= first, requested < end {
            return first + (requested - first) / Self.hour * Self.hour
        }
        for day in self.report.days where !day.agrees {
            for hour in 0..<Self.hoursPerDay where self.isDiffering(self.mark(day, hour: hour)) {
                return day.start + Int64(hour) * Self.hour
            }
        }
        let lastAudited = min(max(first, self.report.to - 1), end - 1)
        return first + (lastAudited - first) / Self.hour * Self.hour
    }

    /// The cursor moved by `hours` (negative: back), stopping at the first and last hour.
    package func moved(_ requested: Int64?, by hours: Int) -> Int64? {
        guard let current = self.cursor(requested), let first = self.report.days.first?.start,
            let last = self.report.days.last?.start
        else { return requested }
        // Far enough to reach either end of any span without overflowing.
        let step = Int64(max(-1_000_000, min(1_000_000, hours))) * Self.hour
        return min(max(first, current + step), last + Self.day - Self.hour)
    }

    /// The day and hour under the cursor, with what the report says of them.
    func spot(_ requested: Int64?) -> Spot? {
        guard let cursor = self.cursor(requested),
            let day = self.report.days.last(where: { $0.start <= cursor })
        else { return nil }
        let hour = min(Self.hoursPerDay - 1, Int((cursor - day.start) / Self.hour))
        let start = day.start + Int64(hour) * Self.hour
        return Spot(
            day: day,
            hour: hour,
            detail: day.hours.first { $0.start == start },
            mark: self.mark(day, hour: hour)
        )
    }

    /// The index in the report's days of the day holding `cursor`.
    func dayIndex(of cursor: Int64) -> Int {
        self.report.days.lastIndex { $0.start <= cursor } ?? 0
    }

    private func isDiffering(_ mark: Mark) -> Bool {
        if case .differs = mark { return true }
        return false
    }
}
