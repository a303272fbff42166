package import Gossipsub
package import Libp2p
internal import NodeEvents
package import WakuCore

extension WakuNode {
    /// The content topic of the monitor's test messages.
    static let testContentTopic = "/wakusync/1/test/plain"

    /// Publishes a small test message on the first relay topic (the monitor's publish key) and
    /// reports its hash, or why it was not sent, in the event log.
    func publishTest() async {
        guard let topic = self.relay?.topics.first else {
            self.events.emit(.notice(Notice(.warning, "test message not published: relay is off (start with --relay)")))
            return
        }
        let now = self.now()
        // The timestamp makes each test message new to the mesh's seen caches.
        let message = WakuMessage(
            payload: Array("wakusync test message".utf8),
            contentTopic: Self.testContentTopic,
            timestamp: now
        )
        do {
            let hash = try await self.relayPublish(message, on: topic)
            self.events.emit(.notice(Notice(.info, "published test message \(hash.hex) on \(topic)")))
        } catch {
            self.events.emit(.notice(Notice(.warning, "test message not published: \(Self.describe(error))")))
        }
    }

    /// Publishes `message` on `pubsubTopic` through relay and returns its message hash.
    ///
    /// - Throws: when relay is off, or the router sent it to nobody (no peer on the topic, too
    ///   large, already seen).
    package func relayPublish(_ message: WakuMessage, on pubsubTopic: String) async throws -> MessageHash {
        guard let relay = self.relay else { throw NodeError("relay is not enabled on this node") }
        if let failure = await relay.publish(message, on: pubsubTopic) {
            throw NodeError("relay publish failed: \(failure.rawValue)")
        }
        return message.hash(pubsubTopic: pubsubTopic)
    }

    /// Relay peers subscribed to `pubsubTopic`; our publishes on it go to all of them.
    package func relayPeers(subscribedTo pubsubTopic: String) -> [PeerID] {
        self.relay?.peers(subscribedTo: pubsubTopic) ?? []
    }

    /// Our relay mesh on `pubsubTopic`.
    package func relayMesh(of pubsubTopic: String) -> [PeerID] {
        self.relay?.meshPeers(of: pubsubTopic) ?? []
    }

    /// The relay score of `peer` as of the last score update (every 12 s); nil when relay is off.
    ///
    /// Below −100 the peer's gossip is ignored, below −1000 its GRAFTs, below −10000 it is
    /// disconnected (PROTOCOLS.md §10.8).
    package func relayScore(of peer: PeerID) -> Double? {
        self.relay?.score(of: peer)
    }

    /// How full the relay router's bounded state is (caches, backoffs, per-peer sets); nil when
    /// relay is off.
    package var relayOccupancy: GossipsubRouter<PeerKey>.Occupancy? {
        self.relay?.occupancy
    }

    /// Bytes of inbound relay frames reserved now, being read or handled, over every peer.
    package var relayFrameBytesReserved: Int {
        self.relay?.frameBudget.reserved ?? 0
    }

    /// Waits until at least one relay peer is subscribed to `pubsubTopic`, at most `timeout` on
    /// the node's clock (checked every 50 ms: the router announces no changes).
    package func waitForRelayPeer(on pubsubTopic: String, timeout: Duration) async -> Bool {
        let clock = self.clock
        let found = await withTimeout(timeout, on: clock) {
            while !Task.isCancelled {
                if !self.relayPeers(subscribedTo: pubsubTopic).isEmpty { return true }
                do { try await clock.sleep(for: .milliseconds(50)) } catch { return false }
            }
            return false
        }
        return found == true
    }

    /// Closes every relay stream of ours after what is queued on it, and waits until each peer
    /// has read it all (it closes its side), at most `timeout`: call before stopping a node that
    /// just published, or a connection closed at once could lose the message.
    package func closeRelayStreams(timeout: Duration) async -> Bool {
        await self.relay?.closeLinks(timeout: timeout) ?? true
    }
}
