/// A static-sharding pubsub topic `/waku/2/rs/<cluster>/<shard>` (PROTOCOLS.md §2.1).
package struct StaticShard: Hashable, Comparable, Sendable, CustomStringConvertible {
    package var cluster: UInt16
    package var shard: UInt16

    package init(cluster: UInt16, shard: UInt16) {
        self.cluster = cluster
        self.shard = shard
    }

    /// Parses a pubsub topic the way nwaku does: the prefix `/waku/2/rs`, then exactly two
    /// non-empty decimal parts, each a 16-bit value.
    package init(pubsubTopic: String) throws(TopicError) {
        let prefix = "/waku/2/rs/"
        guard pubsubTopic.hasPrefix(prefix) else {
            throw TopicError(pubsubTopic, "a sharded pubsub topic starts with \(prefix)")
        }
        let parts = pubsubTopic.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw TopicError(pubsubTopic, "expected /waku/2/rs/<cluster>/<shard>")
        }
        guard let cluster = Self.number(parts[0]) else {
            throw TopicError(pubsubTopic, "cluster '\(parts[0])' is not a number from 0 to 65535")
        }
        guard let shard = Self.number(parts[1]) else {
            throw TopicError(pubsubTopic, "shard '\(parts[1])' is not a number from 0 to 65535")
        }
        self.init(cluster: cluster, shard: shard)
    }

    /// The pubsub topic string.
    package var pubsubTopic: String { "/waku/2/rs/\(self.cluster)/\(self.shard)" }

    package var description: String { self.pubsubTopic }

    package static func < (lhs: StaticShard, rhs: StaticShard) -> Bool {
        (lhs.cluster, lhs.shard) < (rhs.cluster, rhs.shard)
    }

    private static func number(_ text: Substring) -> UInt16? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        return UInt16(text)
    }
}

/// A topic string that does not have the expected shape.
package struct TopicError: Error, Equatable, Sendable, CustomStringConvertible {
    package var topic: String
    package var detail: String

    package init(_ topic: String, _ detail: String) {
        self.topic = topic
        self.detail = detail
    }

    package var description: String { "invalid topic '\(self.topic)': \(self.detail)" }
}
