package import MonitorUI
package import NodeEvents

extension MonitorFixtures {
    /// The busy node's two shards as relay topics.
    package static let relayTopics = ["/waku/2/rs/1/0", "/waku/2/rs/1/1"]

    /// The busy dashboard with relay running on node 1: a status every second for the last ten
    /// seconds (three messages a second on shard 0, one on shard 1), six relayed messages, and
    /// the relayed messages stored.
    package static func relayDashboard() -> Dashboard {
        var dashboard = Self.busyDashboard()
        for (time, event) in Self.relayTimeline() { dashboard.apply(event, fromNode: 0, at: time) }
        return dashboard
    }

    /// Node 1's relay events, each with the wall clock it arrived at, oldest first.
    package static func relayTimeline() -> [(Int64, NodeEvent)] {
        var events: [(Int64, NodeEvent)] = []
        func at(_ secondsAgo: Int64, _ event: NodeEvent) { events.append((Self.now - secondsAgo * Self.second, event)) }
        for (offset, secondsAgo) in [Int64(55), 41, 30, 18, 7, 2].enumerated() {
            let message = Self.relayed(offset)
            at(secondsAgo, .relayed(message))
            at(
                secondsAgo,
                .stored(
                    StoredBatch(
                        source: .relay,
                        peerID: message.peerID,
                        inserted: 1,
                        duplicates: 0,
                        byPubsubTopic: [message.pubsubTopic: 1],
                        byContentTopic: [Self.contentTopics[offset % 2]: 1]
                    )
                )
            )
        }
        for secondsAgo in stride(from: Int64(10), through: 1, by: -1) {
            at(secondsAgo, .relayStatus(Self.relayStatus(secondsAgo: secondsAgo)))
        }
        return events.sorted { $0.0 < $1.0 }
    }

    /// Relay's status `secondsAgo` before ``now``: node-2, node-5 and node-6 in the mesh of shard
    /// 0, node-5 in that of shard 1.
    package static func relayStatus(secondsAgo: Int64) -> RelayStatus {
        let elapsed = Int(100 - secondsAgo)
        var first = RelayStatus.Counts()
        first.received = 3 * elapsed
        first.forwarded = 6 * elapsed
        first.duplicates = 5 * elapsed
        first.invalid = 2
        first.published = 3
        first.bytesIn = 9 * elapsed * 1_024
        first.bytesOut = 6 * elapsed * 1_024
        first.iHaveReceived = elapsed
        first.iHaveSent = 2 * elapsed
        first.graftReceived = 2
        first.graftSent = 3
        first.pruneReceived = 1
        var second = RelayStatus.Counts()
        second.received = elapsed
        second.forwarded = elapsed
        second.duplicates = elapsed / 2
        second.bytesIn = elapsed * 900
        second.bytesOut = elapsed * 900
        second.graftSent = 1
        var total = first
        for path: WritableKeyPath<RelayStatus.Counts, Int> in [
            \.received, \.forwarded, \.duplicates, \.bytesIn, \.bytesOut, \.graftSent,
        ] {
            total[keyPath: path] += second[keyPath: path]
        }
        total.iWantReceived = 4
        total.iWantSent = elapsed / 10
        total.ignored = 1
        return RelayStatus(
            topics: [
                RelayStatus.Topic(
                    pubsubTopic: Self.relayTopics[0],
                    meshPeers: [Self.peerIDs[1], Self.peerIDs[4], Self.peerIDs[5]],
                    subscribedPeers: 4,
                    counts: first
                ),
                RelayStatus.Topic(
                    pubsubTopic: Self.relayTopics[1],
                    meshPeers: [Self.peerIDs[4]],
                    subscribedPeers: 2,
                    counts: second
                ),
            ],
            total: total,
            peers: 4
        )
    }

    /// The `index`th relayed message of the fixture.
    static func relayed(_ index: Int) -> RelayedMessage {
        RelayedMessage(
            peerID: Self.peerIDs[[1, 4, 5][index % 3]],
            pubsubTopic: Self.relayTopics[index % 3 == 2 ? 1 : 0],
            bytes: 180 + 1_337 * index,
            forwardedTo: 2 - index % 3 / 2,
            ephemeral: false,
            hash: Self.hex(seed: 900 + index)
        )
    }
}
