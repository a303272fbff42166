import Foundation
import Libp2p
import NodeEvents
import Testing
import WakuCore
import WakuNode
import WakuTestSupport

/// The archive audit against a peer that, like nwaku, has no audit protocol but serves Store v3
/// and takes transfer pushes from anyone: `Interop/waku_py_peer.py --accept-transfer`, whose Store
/// paging, protobuf and hashing are written independently of ours.
@Suite("Archive audit against a py-libp2p Store peer", .timeLimit(.minutes(1)))
struct AuditInteropTests {
    static let topic = "/waku/2/rs/0/0"

    @Test("a Store peer without the audit protocol is audited and repaired both ways: fetched, pushed, confirmed")
    func repairsAStorePeer() async throws {
        try PythonPeer.requireVenv()
        try await NodeCluster.with(1) { nodes in
            let node = nodes[0]
            let arguments = ["listen", "--messages", "40", "--seed", "11", "--accept-transfer"]
            try await PythonPeer.run(NodeInteropTests.script, arguments) { lines in
                let listed = try NodeInteropTests.decode([ListedMessage].self, try await lines.first("MESSAGES "))
                let base: Int64 = 1_700_000_000_000_000_000
                let theirs = try listed.map { try $0.transferPayload() }
                    .filter { $0.pubsubTopic == Self.topic && $0.message.timestamp >= base }
                let theyOnly = Array(theirs.prefix(5))
                let ours = (0..<4).map { number in
                    TransferPayload(
                        pubsubTopic: Self.topic,
                        message: WakuMessage(
                            payload: Array("only here \(number)".utf8),
                            contentTopic: "/wakusync/1/audit-interop/proto",
                            timestamp: base + Int64(number) * 3_000_000_011
                        )
                    )
                }
                await node.publish(Array(theirs.dropFirst(5)) + ours)
                let peer = try await node.connect(to: try await lines.first("LISTEN "))
                let span = base..<(base + 3_600_000_000_000)
                let plan = AuditPlan(from: span.lowerBound, to: span.upperBound, pubsubTopics: [Self.topic])

                var repairing = plan
                repairing.repair = true
                let report = await node.audit(peer, plan: repairing)
                #expect(report.method == .store)
                #expect(report.missingHereCount == theyOnly.count && report.missingThereCount == ours.count)
                #expect(report.outcome == .repaired, "\(report.detail ?? "")")
                #expect(report.repair?.stored == theyOnly.count)
                #expect(report.repair?.pushed == ours.count && report.repair?.acceptedByPeer == ours.count)
                #expect(report.repair?.notPushed == 0)
                // The script's lines arrive on their own: wait for each push it reported.
                for hex in ours.map({ NodeInteropTests.hash($0).hex }) {
                    _ = try await lines.first("TRANSFERRED ", timeout: .seconds(10)) { $0.contains(hex) }
                }
                let pushed = try lines.all("TRANSFERRED ").map { try NodeInteropTests.decode(Transferred.self, $0) }
                #expect(Set(pushed.map(\.hash)) == Set(ours.map { NodeInteropTests.hash($0).hex }))
                let stored = Set(try await node.storedHashes())
                #expect(Set(theirs.map(NodeInteropTests.hash)).isSubset(of: stored))

                let again = await node.audit(peer, plan: plan)
                #expect(again.outcome == .consistent, "\(again.detail ?? "")")
                #expect(again.missingHereCount == 0 && again.missingThereCount == 0)
            }
        }
    }
}

/// A `TRANSFERRED` line: a message the py-libp2p peer stored from a push.
struct Transferred: Decodable {
    var hash: String
    var pubsubTopic: String
}
