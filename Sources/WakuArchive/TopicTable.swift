internal import GRDB
internal import Synchronization

/// The in-memory cache of the `topic` table: pubsub and content topic names and their ids.
///
/// An id, once committed, names the same topic forever (topic rows are never updated or
/// deleted), so a cached pair never goes stale, even when another process adds topics to the
/// same file; a miss is looked up in the database. The writer publishes the topics it created
/// only after its transaction committed, so a rolled-back id never enters the cache.
final class TopicTable: Sendable {
    private struct State {
        var idsByName: [String: Int64] = [:]
        var namesByID: [Int64: String] = [:]
    }

    private let state = Mutex(State())

    /// A copy of the name → id map, for resolving many topics without taking the lock each time.
    func idsByName() -> [String: Int64] { self.state.withLock { $0.idsByName } }

    /// A copy of the id → name map, for decoding many rows without taking the lock each time.
    func namesByID() -> [Int64: String] { self.state.withLock { $0.namesByID } }

    /// Adds committed pairs to the cache.
    func publish(_ pairs: [(name: String, id: Int64)]) {
        guard !pairs.isEmpty else { return }
        self.state.withLock { state in
            for pair in pairs {
                state.idsByName[pair.name] = pair.id
                state.namesByID[pair.id] = pair.name
            }
        }
    }

    /// The id of a stored topic, or nil when no message ever used it.
    func id(of name: String, in db: Database) throws -> Int64? {
        if let id = self.state.withLock({ $0.idsByName[name] }) { return id }
        guard
            let id = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT id FROM topic WHERE name = ?"),
                arguments: [name]
            )
        else { return nil }
        self.publish([(name, id)])
        return id
    }

    /// The name of the topic with `id`, which a committed row refers to.
    func name(of id: Int64, in db: Database) throws -> String {
        if let name = self.state.withLock({ $0.namesByID[id] }) { return name }
        guard
            let name = try String.fetchOne(
                db.cachedStatement(sql: "SELECT name FROM topic WHERE id = ?"),
                arguments: [id]
            )
        else { throw ArchiveError(.database, "message refers to topic id \(id), which is not in the topic table") }
        self.publish([(name, id)])
        return name
    }
}

/// Resolves topic names to ids inside one write transaction, creating missing topics.
///
/// Works on a snapshot of the cache; ``created`` lists the topics this transaction added, to
/// hand to ``TopicTable/publish(_:)`` once it committed.
struct TopicResolver {
    private var known: [String: Int64]
    private(set) var created: [(name: String, id: Int64)] = []

    init(_ table: TopicTable) {
        self.known = table.idsByName()
    }

    mutating func id(for name: String, in db: Database) throws -> Int64 {
        if let id = self.known[name] { return id }
        // Another process may have added it since this cache was filled.
        if let id = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT id FROM topic WHERE name = ?"),
            arguments: [name]
        ) {
            self.known[name] = id
            self.created.append((name, id))
            return id
        }
        try db.cachedStatement(sql: "INSERT INTO topic (name) VALUES (?)").execute(arguments: [name])
        let id = db.lastInsertedRowID
        self.known[name] = id
        self.created.append((name, id))
        return id
    }
}

/// Resolves topic ids of many rows to names with one snapshot of the cache.
struct TopicNames {
    private var names: [Int64: String]
    private let table: TopicTable

    init(_ table: TopicTable) {
        self.table = table
        self.names = table.namesByID()
    }

    mutating func name(of id: Int64, in db: Database) throws -> String {
        if let name = self.names[id] { return name }
        let name = try self.table.name(of: id, in: db)
        self.names[id] = name
        return name
    }
}
