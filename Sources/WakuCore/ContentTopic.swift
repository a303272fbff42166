internal import Crypto

/// A parsed content topic `/{application}/{version}/{name}/{encoding}`, optionally preceded by a
/// generation (PROTOCOLS.md §2.2).
///
/// Storage and sync treat content topics as opaque strings and never reject one; this type is for
/// display and for autosharding.
package struct ContentTopic: Hashable, Sendable {
    package var generation: Int?
    package var application: String
    package var version: String
    package var name: String
    package var encoding: String

    package init(parsing text: String) throws(TopicError) {
        guard text.hasPrefix("/") else { throw TopicError(text, "a content topic starts with '/'") }
        let parts = text.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.allSatisfy({ !$0.isEmpty }) else { throw TopicError(text, "a content topic has no empty parts") }
        switch parts.count {
        case 4:
            self.generation = nil
            (self.application, self.version, self.name, self.encoding) = (parts[0], parts[1], parts[2], parts[3])
        case 5:
            guard let generation = Int(parts[0]), generation == 0 else {
                throw TopicError(text, "generation '\(parts[0])' is not supported (only 0 exists)")
            }
            self.generation = generation
            (self.application, self.version, self.name, self.encoding) = (parts[1], parts[2], parts[3], parts[4])
        default:
            throw TopicError(text, "expected /{application}/{version}/{name}/{encoding}")
        }
    }

    /// The shard autosharding maps this topic to among `shardCount` shards (PROTOCOLS.md §2.3).
    package func shard(among shardCount: UInt16) -> UInt16 {
        precondition(shardCount > 0, "autosharding needs at least one shard")
        var hasher = SHA256()
        hasher.update(data: Array(self.application.utf8))
        hasher.update(data: Array(self.version.utf8))
        let value = hasher.finalize().withUnsafeBytes {
            UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        }
        return UInt16(value % UInt64(shardCount))
    }
}
