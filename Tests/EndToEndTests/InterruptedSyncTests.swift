import Foundation
import Libp2p
import NodeEvents
import Testing
import WakuArchive
import WakuCore
import WakuNode
import WakuTestSupport

@Suite("A session whose peer is killed", .timeLimit(.minutes(2)))
struct InterruptedSyncTests {
    static func importMessages(_ payloads: [TransferPayload], into dataDir: String) throws {
        let file = URL(fileURLWithPath: dataDir).deletingLastPathComponent().appendingPathComponent(
            "import-\(UUID().uuidString).jsonl"
        )
        let lines = payloads.map {
            ArchiveJSONLine.encode(
                StoredMessage(
                    archived: ArchivedMessage(pubsubTopic: $0.pubsubTopic, message: $0.message, source: .import),
                    storedAt: 0
                )
            )
        }
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let result = try ChildProcess.run(
            Executables.wakusync,
            ["archive", "import", file.path, "--data-dir", dataDir]
        )
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test("the session is reported failed, both archives stay sound, and the next session converges")
    func killedMidSession() async throws {
        let directory = try TemporaryDirectory(prefix: "wakusync-killed")
        defer { directory.remove() }
        let remoteDir = directory.file("remote").path
        let now = NodeCluster.now
        let shared = NodeCluster.messages(6_000, seed: 1, now: now, span: .seconds(3000))
        let remoteOnly = NodeCluster.messages(6_000, seed: 2, now: now, span: .seconds(3000))
        let localOnly = NodeCluster.messages(6_000, seed: 3, now: now, span: .seconds(3000))
        try FileManager.default.createDirectory(atPath: remoteDir, withIntermediateDirectories: true)
        try Self.importMessages(shared + remoteOnly, into: remoteDir)

        try await NodeCluster.with(1) { nodes in
            let local = nodes[0]
            await local.publish(shared + localOnly)
            let remote = try await HeadlessNode.start(dataDir: remoteDir)
            defer { remote.kill() }
            let peer = try await local.connect(to: remote.address)
            let events = local.events.subscribe()
            async let outcome = local.syncNow(with: peer)
            // Kill the peer as soon as the first round came back: the session is mid-way.
            _ = await NodeCluster.event(on: events) { if case .sessionRound = $0 { true } else { false } }
            remote.kill()
            remote.process.waitUntilExit()
            let end = try #require(await outcome)
            #expect(end.failed, "the session ends as failed: \(end.outcome)")
            // Our archive holds exactly what it held, plus whole messages the peer pushed before dying.
            let stored = Set(try await local.storedHashes())
            let allowed = Set((shared + localOnly + remoteOnly).map { $0.message.hash(pubsubTopic: $0.pubsubTopic) })
            #expect(stored.isSubset(of: allowed))
            #expect(stored.isSuperset(of: (shared + localOnly).map { $0.message.hash(pubsubTopic: $0.pubsubTopic) }))

            // The killed peer's archive is sound and complete after the crash.
            let reopened = try Archive.openExisting(path: remoteDir + "/archive.sqlite3")
            #expect(try await reopened.integrityCheck() == ["ok"])
            #expect(try await reopened.stats().count >= 12_000)
            try reopened.close()

            // Restarted, a new session brings both archives to the union.
            let again = try await HeadlessNode.start(dataDir: remoteDir)
            defer { again.kill() }
            let revived = try await local.connect(to: again.address)
            let second = try #require(await local.syncNow(with: revived))
            #expect(second.outcome == .reconciled)
            _ = await local.settle(with: revived, timeout: .seconds(20))
            let union = allowed
            let converged = try await NodeCluster.eventually(timeout: .seconds(30)) {
                Set(try await local.storedHashes()) == union
            }
            #expect(converged)
            #expect(again.terminate(), "SIGTERM stops the node")
            let final = try Archive.openExisting(path: remoteDir + "/archive.sqlite3")
            #expect(try await final.stats().count == union.count)
            #expect(try await final.integrityCheck() == ["ok"])
            try final.close()
        }
    }
}
