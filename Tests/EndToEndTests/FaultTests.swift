import Foundation
import NodeEvents
import Testing
import WakuArchive
import WakuCore
import WakuNode
import WakuTestSupport

@Suite("Faults", .timeLimit(.minutes(2)))
struct FaultTests {
    @Test("a full disk stops the import with a clear error; the archive stays sound with every acknowledged batch")
    func diskFull() async throws {
        let directory = try TemporaryDirectory(prefix: "wakusync-full")
        defer { directory.remove() }
        let dataDir = directory.file("node").path
        let file = directory.file("input.jsonl")
        let payloads = NodeCluster.messages(4_000, seed: 11, now: NodeCluster.now)
        let lines = payloads.map {
            var message = $0.message
            message.payload = Array(repeating: 0x61, count: 1_000) + message.payload
            return ArchiveJSONLine.encode(
                StoredMessage(
                    archived: ArchivedMessage(pubsubTopic: $0.pubsubTopic, message: message, source: .import),
                    storedAt: 0
                )
            )
        }
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: false, encoding: .utf8)
        // The file-size limit stands in for a full disk: writes past 1 MiB fail with EFBIG.
        let script =
            "trap '' XFSZ; ulimit -f 1024; exec '\(Executables.wakusync.path)' archive import '\(file.path)' "
            + "--data-dir '\(dataDir)' --batch-size 200 --progress"
        let result = try ChildProcess.run(URL(fileURLWithPath: "/bin/bash"), ["-c", script], timeout: .seconds(60))
        #expect(result.status != 0)
        #expect(
            result.stderr.lowercased().contains("disk") || result.stderr.lowercased().contains("full"),
            "\(result.stderr)"
        )
        let acknowledged = result.stdout.split(separator: "\n").filter { $0.hasPrefix("committed batch") }.count
        #expect(acknowledged > 0 && acknowledged < 20)
        let archive = try Archive.openExisting(path: dataDir + "/archive.sqlite3")
        #expect(try await archive.integrityCheck() == ["ok"])
        #expect(try await archive.stats().count >= acknowledged * 200)
        try archive.close()
    }

    @Test(
        "a node SIGKILLed while receiving pushes restarts sound, without duplicates, and the next session completes it"
    )
    func killedWhileReceiving() async throws {
        let directory = try TemporaryDirectory(prefix: "wakusync-killed-receiver")
        defer { directory.remove() }
        let remoteDir = directory.file("remote").path
        try FileManager.default.createDirectory(atPath: remoteDir, withIntermediateDirectories: true)
        let now = NodeCluster.now
        let shared = NodeCluster.messages(2_000, seed: 21, now: now, span: .seconds(3000))
        try InterruptedSyncTests.importMessages(shared, into: remoteDir)
        try await NodeCluster.with(1) { nodes in
            let local = nodes[0]
            let extra = NodeCluster.messages(20_000, seed: 22, now: now, span: .seconds(3000))
            await local.publish(shared + extra)
            let union = Set((shared + extra).map { $0.message.hash(pubsubTopic: $0.pubsubTopic) })
            let remote = try await HeadlessNode.start(dataDir: remoteDir)
            defer { remote.kill() }
            let peer = try await local.connect(to: remote.address)
            // We hold 20k messages the remote lacks: the session ends with us pushing them.
            async let sessions = local.syncNow(with: peer)
            // Kill it as soon as the first pushed batch is stored.
            let stored = await remote.lines.read { $0.contains(where: Self.isPushedBatch) }
            try #require(
                stored.contains(where: Self.isPushedBatch),
                "the remote never stored a pushed batch: \(stored)"
            )
            remote.kill()
            remote.process.waitUntilExit()
            _ = await sessions

            let crashed = try Archive.openExisting(path: remoteDir + "/archive.sqlite3")
            #expect(try await crashed.integrityCheck() == ["ok"])
            let survived = try await crashed.stats().count
            #expect(
                survived > shared.count && survived < union.count,
                "some but not all pushes were stored: \(survived)"
            )
            try crashed.close()

            let again = try await HeadlessNode.start(dataDir: remoteDir)
            defer { again.kill() }
            let revived = try await local.connect(to: again.address)
            let second = try #require(await local.syncNow(with: revived))
            #expect(second.outcome == .reconciled)
            // The restarted node's index was rebuilt from its archive: only the rest is missing.
            #expect(second.theyNeed + second.weNeed <= union.count - survived)
            // Readers may watch the live archive (WAL): wait until the rest has arrived.
            let watcher = try Archive.openExisting(path: remoteDir + "/archive.sqlite3")
            let complete = try await NodeCluster.eventually(timeout: .seconds(60)) {
                try await watcher.stats().count == union.count
            }
            try watcher.close()
            #expect(complete)
            #expect(again.terminate(), "SIGTERM stops the node")
            let final = try Archive.openExisting(path: remoteDir + "/archive.sqlite3")
            defer { try? final.close() }
            #expect(try await final.integrityCheck() == ["ok"])
            #expect(try await final.stats().count == union.count, "everything, once")
        }
    }

    @Test("a node whose standard output nobody reads keeps storing and still stops on SIGTERM")
    func unreadOutput() async throws {
        // A one-page pipe that is never read after the address: a few event lines fill it.
        try await Self.syncIntoHeadless(20_000, seed: 23, pipeCapacity: 4_096) { _ in }
    }

    @Test("a node whose output reader went away (| head) keeps syncing and stops cleanly on SIGTERM")
    func closedOutput() async throws {
        // Connecting and syncing make event lines, each then a write into a closed pipe.
        try await Self.syncIntoHeadless(500, seed: 24, pipeCapacity: nil) { $0.closeOutput() }
    }

    /// Syncs `count` messages from one of our nodes into a headless node that `prepare` has done
    /// something to, expects it to store them all, then to stop cleanly on SIGTERM.
    private static func syncIntoHeadless(
        _ count: Int,
        seed: UInt64,
        pipeCapacity: Int32?,
        prepare: @Sendable (HeadlessNode) -> Void
    ) async throws {
        let directory = try TemporaryDirectory(prefix: "wakusync-output")
        defer { directory.remove() }
        let now = NodeCluster.now
        try await NodeCluster.with(1) { nodes in
            let local = nodes[0]
            let messages = NodeCluster.messages(count, seed: seed, now: now, span: .seconds(3000))
            await local.publish(messages)
            let remote = try await HeadlessNode.start(
                dataDir: directory.file("remote").path,
                pipeCapacity: pipeCapacity
            )
            defer { remote.kill() }
            prepare(remote)
            let peer = try await local.connect(to: remote.address)
            let session = try #require(await local.syncNow(with: peer))
            #expect(session.outcome == .reconciled)
            let watcher = try Archive.openExisting(path: directory.file("remote/archive.sqlite3").path)
            let complete = try await NodeCluster.eventually(timeout: .seconds(60)) {
                try await watcher.stats().count == messages.count
            }
            try watcher.close()
            #expect(complete, "the node stores every pushed message whatever became of its output")
            #expect(remote.process.isRunning)
            #expect(remote.terminate(), "SIGTERM stops the node")
            #expect(remote.process.terminationReason == .exit && remote.process.terminationStatus == 0)
        }
    }

    private static func isPushedBatch(_ line: String) -> Bool {
        line.contains("messages stored") && line.contains("source=sync")
    }
}
