import Foundation
import Libp2p
import NodeEvents
import Testing
import WakuArchive
import WakuCore
import WakuNode
import WakuTestSupport

@Suite("Store Resume", .timeLimit(.minutes(1)))
struct ResumeTests {
    @Test(
        "a node offline for an hour fetches exactly what it missed since it was last online, skipping a failing store peer"
    )
    func fillsOfflineNode() async throws {
        let prepared = try TemporaryDirectory(prefix: "wakusync-resume")
        defer { prepared.remove() }
        let now = NodeCluster.now
        let lastOnline = now - 3_600_000_000_000
        do {
            let archive = try Archive(path: prepared.file("archive.sqlite3").path)
            try await archive.recordOnline(at: lastOnline)
            try archive.close()
        }
        let path = prepared.path
        try await NodeCluster.with(
            2,
            configure: { number, configuration in
                if number == 1 { configuration.dataDirectory = path }
            }
        ) { nodes in
            let history = NodeCluster.messages(400, seed: 8, now: now, span: .seconds(3 * 3600))
            await nodes[0].publish(history)
            let expected = Set(
                history.filter { $0.message.timestamp >= lastOnline }.map {
                    $0.message.hash(pubsubTopic: $0.pubsubTopic)
                }
            )
            #expect(expected.count > 50 && expected.count < 300)
            let events = nodes[1].events.subscribe()
            try await RoguePeer.with { rogue in
                // A store peer that answers every query with an error: resume must move on from it.
                rogue.register(protocolID: WakuNode.storeProtocol) { stream in
                    _ = try await stream.readMessage(timeout: .seconds(5))
                    let refusal = StoreQueryResponse(
                        requestID: "",
                        statusCode: .badResponse,
                        statusDesc: "BAD_RESPONSE: archive error",
                        messages: []
                    )
                    try await stream.writeMessage(refusal.serialized())
                    await stream.close()
                }
                let resuming = nodes[1]
                _ = try await resuming.connect(to: try #require(nodes[0].listenAddresses.first))
                _ = try await rogue.dial(try Multiaddr(parsing: try #require(resuming.listenAddresses.first)))
                let ready = try await NodeCluster.eventually {
                    await resuming.peerSnapshots().filter(\.speaksStore).count == 2
                }
                try #require(ready)
                resuming.send(.startResume)
                let finished = await NodeCluster.event(on: events) { event in
                    if case .resume(let progress) = event, progress.state == .finished { return true }
                    return false
                }
                guard case .resume(let progress)? = finished else {
                    Issue.record("resume did not finish")
                    return
                }
                #expect(progress.peerID == nodes[0].peerID)
                #expect(progress.messages == expected.count)
                #expect(progress.windowStart == lastOnline)
                #expect(Set(try await resuming.storedHashes()) == expected)
            }
        }
    }
}
