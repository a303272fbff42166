internal import Foundation
internal import Logging
internal import PostgresNIO
internal import Synchronization
internal import WakuArchive

/// One child table of `messages`: `[from, to)` in nanoseconds.
struct PartitionRange: Hashable, Sendable, Comparable {
    var name: String
    var from: Int64
    var to: Int64

    func contains(_ timestamp: Int64) -> Bool { timestamp >= self.from && timestamp < self.to }

    static func < (lhs: PartitionRange, rhs: PartitionRange) -> Bool { (lhs.from, lhs.to) < (rhs.from, rhs.to) }
}

/// The partitions of `messages`, cached, and the creation of missing ones (PROTOCOLS.md §11.4).
///
/// Every message must land in a partition: PostgreSQL refuses a row whose timestamp has none,
/// and nwaku never creates partitions for the past. Before each batch the archive asks for a
/// partition covering every timestamp; missing ones are created the way nwaku creates them
/// (name `messages_<fromSeconds>_<toSeconds>`, bounds in ns, the same four steps under nwaku's
/// partition lock 123456789), one per UTC hour, clipped to their neighbours so they never overlap
/// (nwaku's first partition starts at the second it first ran, not on the hour). Nothing else is
/// ever attached to `messages`: nwaku exits when it finds a child table named otherwise.
final class PostgresPartitions: Sendable {
    /// nwaku's partition lock.
    static let lock: Int64 = 123_456_789
    static let hour: Int64 = 3_600_000_000_000
    static let second: Int64 = 1_000_000_000

    private let cache = Mutex<[PartitionRange]>([])
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    /// The cached list, oldest first.
    var cached: [PartitionRange] { self.cache.withLock { $0 } }

    /// Makes sure a partition covers every one of `timestamps`; returns the timestamps that
    /// still have none (a neighbour's odd bound left a gap smaller than a second).
    func ensure(_ timestamps: [Int64], client: PostgresClient) async throws -> Set<Int64> {
        var missing = Self.uncovered(timestamps, by: self.cached)
        guard !missing.isEmpty else { return [] }
        return try await client.withConnection { connection in
            try await self.refresh(on: connection)
            missing = Self.uncovered(Array(missing), by: self.cached)
            var attempts = 0
            while !missing.isEmpty {
                guard try await PostgresSchema.tryLock(Self.lock, on: connection, logger: self.logger) else {
                    // Another node is creating partitions; it may be creating ours.
                    attempts += 1
                    guard attempts < 600 else {
                        throw PostgresFailure(reason: "the partition lock stayed taken for 30 s")
                    }
                    try await Task.sleep(for: .milliseconds(50))
                    try await self.refresh(on: connection)
                    missing = Self.uncovered(Array(missing), by: self.cached)
                    continue
                }
                do {
                    try await self.refresh(on: connection)
                    for range in Self.plan(for: Self.uncovered(Array(missing), by: self.cached), existing: self.cached)
                    {
                        try await self.create(range, on: connection)
                    }
                    try await self.refresh(on: connection)
                    try await PostgresSchema.unlock(Self.lock, on: connection, logger: self.logger)
                } catch {
                    _ = try? await PostgresSchema.unlock(Self.lock, on: connection, logger: self.logger)
                    throw error
                }
                return Self.uncovered(Array(missing), by: self.cached)
            }
            return []
        }
    }

    /// Reloads the list from `pg_inherits`.
    func refresh(on connection: PostgresConnection) async throws {
        let rows = try await connection.query(
            """
            SELECT c.relname::text, pg_get_expr(c.relpartbound, c.oid)
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'messages'::regclass
            """,
            logger: self.logger
        )
        var ranges: [PartitionRange] = []
        for try await (name, bound) in rows.decode((String, String?).self) {
            guard let range = Self.range(name: name, bound: bound ?? "") else { continue }
            ranges.append(range)
        }
        ranges.sort()
        // Someone else's DEFAULT partition takes every row (nwaku would refuse to run beside it);
        // alone in the list it keeps the list free of overlaps.
        if let all = ranges.first(where: { $0.from == .min && $0.to == .max }) { ranges = [all] }
        self.cache.withLock { $0 = ranges }
    }

    /// Forgets a partition that retention dropped.
    func forget(_ name: String) {
        self.cache.withLock { $0.removeAll { $0.name == name } }
    }

    /// The range a partition's bound expression gives (`FOR VALUES FROM ('a') TO ('b')`, or
    /// `DEFAULT`, which covers everything); nil when it cannot be read.
    static func range(name: String, bound: String) -> PartitionRange? {
        if bound.uppercased() == "DEFAULT" { return PartitionRange(name: name, from: .min, to: .max) }
        guard let fromRange = bound.range(of: "FROM ("), let toRange = bound.range(of: ") TO (") else { return nil }
        let fromText = bound[fromRange.upperBound..<toRange.lowerBound]
        let toText = bound[toRange.upperBound...].dropLast()
        guard let from = Self.value(fromText, unbounded: .min), let to = Self.value(toText, unbounded: .max) else {
            return nil
        }
        return PartitionRange(name: name, from: from, to: to)
    }

    private static func value(_ text: Substring, unbounded: Int64) -> Int64? {
        let trimmed = text.filter { $0 != "'" && $0 != " " }
        if trimmed.uppercased() == "MINVALUE" { return .min }
        if trimmed.uppercased() == "MAXVALUE" { return .max }
        return Int64(trimmed)
    }

    /// The timestamps no range covers; `ranges` is sorted and without overlaps (PostgreSQL
    /// refuses overlapping partitions), so each lookup is a binary search.
    static func uncovered(_ timestamps: [Int64], by ranges: [PartitionRange]) -> Set<Int64> {
        Set(
            timestamps.filter { timestamp in
                // The last range starting at or before the timestamp is the only candidate.
                var low = 0
                var high = ranges.count
                while low < high {
                    let middle = (low + high) / 2
                    if ranges[middle].from <= timestamp { low = middle + 1 } else { high = middle }
                }
                return low == 0 || !ranges[low - 1].contains(timestamp)
            }
        )
    }

    /// The partitions to create for `timestamps` (none covered by `existing`): the UTC hour of
    /// each, clipped to the neighbouring partitions, in whole seconds.
    static func plan(for timestamps: Set<Int64>, existing: [PartitionRange]) -> [PartitionRange] {
        var planned: [PartitionRange] = []
        for timestamp in timestamps.sorted() {
            if planned.contains(where: { $0.contains(timestamp) }) { continue }
            let hourStart = timestamp - Self.floorMod(timestamp, Self.hour)
            var from = hourStart
            var to = hourStart &+ Self.hour
            for range in existing + planned {
                if range.to <= timestamp { from = max(from, range.to) }
                if range.from > timestamp { to = min(to, range.from) }
            }
            // Whole seconds, as nwaku names them; an existing odd bound can only shrink ours.
            from = Self.ceilingSecond(from)
            to = to - Self.floorMod(to, Self.second)
            guard from <= timestamp, timestamp < to else { continue }
            planned.append(
                PartitionRange(name: "messages_\(from / Self.second)_\(to / Self.second)", from: from, to: to)
            )
        }
        return planned
    }

    /// nwaku's four steps (`partitions_manager.nim`); each tolerates another node having done it.
    private func create(_ range: PartitionRange, on connection: PostgresConnection) async throws {
        let name = range.name
        let statements = [
            "CREATE TABLE IF NOT EXISTS \(name) (LIKE messages INCLUDING DEFAULTS INCLUDING CONSTRAINTS)",
            "ALTER TABLE \(name) ADD CONSTRAINT \(name)_by_range_check CHECK "
                + "(timestamp >= \(range.from) AND timestamp < \(range.to))",
            "ALTER TABLE messages ATTACH PARTITION \(name) FOR VALUES FROM (\(range.from)) TO (\(range.to))",
            "ALTER TABLE \(name) DROP CONSTRAINT \(name)_by_range_check",
        ]
        for statement in statements {
            do {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: self.logger)
            } catch {
                let failure = PostgresFailure(error)
                let tolerated = ["already exists", "is already a partition", "does not exist"]
                guard tolerated.contains(where: { failure.message.contains($0) }) else { throw failure }
            }
        }
        self.logger.info("created partition", metadata: ["waku.partition": "\(name)"])
    }

    private static func floorMod(_ value: Int64, _ modulus: Int64) -> Int64 {
        let remainder = value % modulus
        return remainder < 0 ? remainder + modulus : remainder
    }

    private static func ceilingSecond(_ value: Int64) -> Int64 {
        let remainder = Self.floorMod(value, Self.second)
        return remainder == 0 ? value : value - remainder + Self.second
    }
}
