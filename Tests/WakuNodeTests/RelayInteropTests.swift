import Foundation
import Libp2p
import NodeEvents
import Testing
import WakuCore
import WakuNode
import WakuTestSupport

/// Relay against py-libp2p 0.8.1's own gossipsub (`Interop/relay_py_peer.py`, on /meshsub/1.2.0
/// since it cannot speak the Waku id): what it publishes is stored here, what we publish reaches it,
/// and we forward between two of them. The script builds WakuMessages and hashes by hand, so each
/// side checks the other.
@Suite("Relay interop with py-libp2p", .timeLimit(.minutes(2)))
struct RelayInteropTests {
    static let script = "Tests/WakuNodeTests/Interop/relay_py_peer.py"

    @Test("py-libp2p publishes and we store it under its hash; we publish and it receives our hash")
    func bothWays() async throws {
        try PythonPeer.requireVenv()
        try await NodeCluster.with(1, configure: { _, configuration in configuration.relay = true }) { nodes in
            let node = nodes[0]
            let notices = Notices(node.events.subscribe())
            let address = try #require(node.listenAddresses.first)
            let arguments = ["--target", address, "--topic", RelayTests.topic, "--publish", "from py-libp2p"]
            try await PythonPeer.run(Self.script, arguments) { lines in
                let ready = try await lines.json("READY ")
                let pythonID = try #require(ready["peer_id"] as? String)
                let published = try await lines.json("PUBLISHED ")
                let theirs = try MessageHash(hex: try #require(published["hash"] as? String))
                let stored = try await NodeCluster.eventually { try await node.storedHashes().contains(theirs) }
                #expect(stored, "py-libp2p's message \(theirs.hex) was not stored")

                let subscribed = try await NodeCluster.eventually {
                    node.relayPeers(subscribedTo: RelayTests.topic).contains { $0.description == pythonID }
                }
                let seen = await notices.text
                #expect(subscribed, "node notices: \(seen)")
                let ours = RelayTests.message("from wakusync")
                let hash = try await node.relayPublish(ours, on: RelayTests.topic)
                let received = try await lines.json("RECEIVED ") { $0.contains(hash.hex) }
                #expect(received["payload"] as? String == "from wakusync")
            }
        }
    }

    @Test(
        "what py-libp2p publishes stamped in the future, undecodable or above the frame limit is refused and never stored"
    )
    func invalidFromPython() async throws {
        try PythonPeer.requireVenv()
        try await NodeCluster.with(1, configure: { _, configuration in configuration.relay = true }) { nodes in
            let node = nodes[0]
            let notices = Notices(node.events.subscribe())
            let future = node.events.subscribe()
            let malformed = node.events.subscribe()
            let address = try #require(node.listenAddresses.first)
            let arguments = ["--target", address, "--topic", RelayTests.topic, "--publish", "valid", "--invalid"]
            try await PythonPeer.run(Self.script, arguments) { lines in
                let pythonID = try #require(try await lines.json("READY ")["peer_id"] as? String)
                let invalid = try await lines.json("INVALID ")
                let futureHash = try MessageHash(hex: try #require(invalid["future"] as? String))
                let valid = try MessageHash(hex: try #require(try await lines.json("PUBLISHED ")["hash"] as? String))
                let oversized = try MessageHash(
                    hex: try #require(
                        try await lines.json("INVALID ") { $0.contains("oversized") }["oversized"] as? String
                    )
                )
                for (events, reason) in [(future, Rejection.futureTimestamp), (malformed, .malformed)] {
                    let refused = await NodeCluster.event(on: events) { event in
                        guard case .rejected(let rejection) = event else { return false }
                        return rejection.source == .relay && rejection.reason == reason && rejection.peerID == pythonID
                    }
                    let seen = await notices.text
                    #expect(refused != nil, "no \(reason) rejection of py-libp2p's message; notices: \(seen)")
                }
                // The frame above nwaku's 153600-byte bound ends py-libp2p's stream to us.
                let cut = try await NodeCluster.eventually {
                    await notices.count(containing: "relay: reading ended: frameTooLarge", about: pythonID) > 0
                }
                let seen = await notices.text
                #expect(cut, "notices: \(seen)")
                #expect(try await NodeCluster.eventually { try await node.storedHashes().contains(valid) })
                let stored = Set(try await node.storedHashes())
                #expect(stored == [valid])
                #expect(!stored.contains(futureHash) && !stored.contains(oversized))
            }
        }
    }

    @Test("py-libp2p A publishes, we store it under its hash and forward it to py-libp2p B, connected only to us")
    func lineThroughUs() async throws {
        try PythonPeer.requireVenv()
        try await NodeCluster.with(1, configure: { _, configuration in configuration.relay = true }) { nodes in
            let node = nodes[0]
            let address = try #require(node.listenAddresses.first)
            let topic = RelayTests.topic
            let arguments = ["--target", address, "--topic", topic, "--seconds", "100"]
            // B first: it must be in our mesh before A publishes, or we have nobody to forward to.
            try await PythonPeer.run(Self.script, arguments) { receiver in
                let ready = try await receiver.json("READY ")
                let receiverID = try #require(ready["peer_id"] as? String)
                let meshed = try await NodeCluster.eventually {
                    node.relayMesh(of: topic).contains { $0.description == receiverID }
                }
                try #require(meshed, "py-libp2p B never joined our mesh")
                let text = "from A through wakusync to B"
                try await PythonPeer.run(Self.script, arguments + ["--publish", text]) { publisher in
                    let publisherID = try #require(try await publisher.json("READY ")["peer_id"] as? String)
                    #expect(publisherID != receiverID)
                    let published = try await publisher.json("PUBLISHED ")
                    let hash = try MessageHash(hex: try #require(published["hash"] as? String))
                    // py-libp2p signs nothing but sends `from` and `seqno` (LaxNoSign); we strip both
                    // when forwarding, and B, which keys its cache by them, still receives it (§10.10).
                    let received = try await receiver.json("RECEIVED ") { $0.contains(hash.hex) }
                    #expect(received["payload"] as? String == text)
                    let stored = try await NodeCluster.eventually { try await node.storedHashes().contains(hash) }
                    #expect(stored, "A's message \(hash.hex) was not stored")
                    #expect(try await node.storedHashes() == [hash])
                }
            }
        }
    }
}

/// The node's notices, gathered in the background, for failure messages and counts.
actor Notices {
    private var notices: [(peerID: String?, message: String)] = []

    /// Follows `events` until the stream ends (the node stops).
    init(_ events: AsyncStream<NodeEvent>) {
        Task { await self.follow(events) }
    }

    private func follow(_ events: AsyncStream<NodeEvent>) async {
        for await event in events {
            if case .notice(let notice) = event { self.notices.append((notice.peerID, notice.message)) }
        }
    }

    var text: String { self.notices.map(\.message).joined(separator: " | ") }

    /// How many notices about `peerID` contain `text`.
    func count(containing text: String, about peerID: String) -> Int {
        self.notices.count { $0.peerID == peerID && $0.message.contains(text) }
    }
}
