/// How `wakusync demo` runs its cluster: a compressed Store Sync schedule so convergence is
/// visible within a minute.
package struct DemoConfiguration: Sendable {
    /// Real nodes on loopback.
    package var nodes: Int = 4
    /// Messages published per second (across the cluster).
    package var rate: Double = 5
    /// Chance that one node misses a published message (standing in for relay loss), per node.
    package var loss: Double = 0.2
    /// Pause between each node's periodic syncs.
    package var syncInterval: Duration = .seconds(10)
    /// The window each sync covers.
    package var syncRange: Duration = .seconds(120)
    /// How far in the past the window ends.
    package var syncJitter: Duration = .seconds(2)
    /// Cluster and shard the demo publishes on.
    package var clusterID: UInt16 = 1
    package var shard: UInt16 = 0
    /// Content topics messages are spread over.
    package var contentTopics = ["/demo/1/chat/proto", "/demo/1/status/proto", "/demo/1/files/proto"]
    /// Seeds the traffic (payloads, topics, losses).
    package var seed: UInt64 = 1

    package init() {}

    /// The pubsub topic everything is published on.
    package var pubsubTopic: String { "/waku/2/rs/\(self.clusterID)/\(self.shard)" }
}
