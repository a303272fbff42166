import Foundation
import Testing
import WakuArchive
import WakuCore
import WakuTestSupport

@Suite("wakusync sync --once", .timeLimit(.minutes(2)))
struct SyncCommandTests {
    /// A line of the archive's JSON-lines format for a message stamped `secondsAgo` before now.
    static func line(_ text: String, secondsAgo: Int64) -> String {
        let message = WakuMessage(
            payload: Array(text.utf8),
            contentTopic: "/wakusync/1/sync-once/proto",
            timestamp: Archive.systemTime() - secondsAgo * 1_000_000_000
        )
        return ArchiveJSONLine.encode(
            StoredMessage(
                archived: ArchivedMessage(pubsubTopic: "/waku/2/rs/0/0", message: message, source: .import),
                storedAt: 0
            )
        )
    }

    @Test(
        "one session with a running node brings both archives to the union, the local one on either backend",
        arguments: Backend.allCases
    )
    func once(backend: Backend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let local = try await CommandArchive.make(backend, in: directory.file("local"))
        let remoteData = directory.file("remote").path
        let shared = (0..<20).map { Self.line("shared \($0)", secondsAgo: 60 + Int64($0)) }
        let localOnly = (0..<7).map { Self.line("local \($0)", secondsAgo: 120 + Int64($0)) }
        let remoteOnly = (0..<9).map { Self.line("remote \($0)", secondsAgo: 180 + Int64($0)) }
        let localImport = try ChildProcess.run(
            Executables.wakusync,
            ["archive", "import", "-"] + local.arguments,
            stdin: Data((shared + localOnly).joined(separator: "\n").utf8)
        )
        #expect(localImport.status == 0, "\(localImport.stderr)")
        let remoteImport = try ChildProcess.run(
            Executables.wakusync,
            ["archive", "import", "-", "--data-dir", remoteData],
            stdin: Data((shared + remoteOnly).joined(separator: "\n").utf8)
        )
        #expect(remoteImport.status == 0, "\(remoteImport.stderr)")
        let remote = try await HeadlessNode.start(dataDir: remoteData)
        defer { _ = remote.terminate() }
        let sync = try ChildProcess.run(
            Executables.wakusync,
            [
                "sync", "--peer", remote.address, "--once", "--json", "--settle", "20", "--listen",
                "/ip4/127.0.0.1/tcp/0",
            ]
                + local.arguments + (backend == .postgres ? ["--data-dir", directory.file("local-key").path] : []),
            timeout: .seconds(90)
        )
        #expect(sync.status == 0, "\(sync.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(sync.stdout.utf8)) as? [String: Any])
        #expect(report["outcome"] as? String == "reconciled")
        // What we lacked arrives whether it was listed or lay in a range where we said we hold
        // nothing (PROTOCOLS.md §5.2), so count arrivals rather than listed differences.
        #expect(report["messagesReceived"] as? Int == 9 && report["messagesSent"] as? Int == 7, "\(sync.stdout)")
        #expect(report["theyNeeded"] as? Int == 7)
        #expect(report["stillMissing"] as? Int == 0)
        let stats = try ChildProcess.run(Executables.wakusync, ["archive", "stats", "--json"] + local.arguments)
        let counts = try #require(try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])
        #expect(counts["count"] as? Int == 36)
        #expect(remote.terminate())
        let remoteStats = try ChildProcess.run(
            Executables.wakusync,
            ["archive", "stats", "--json", "--data-dir", remoteData]
        )
        let remoteCounts = try #require(
            try JSONSerialization.jsonObject(with: Data(remoteStats.stdout.utf8)) as? [String: Any]
        )
        #expect(remoteCounts["count"] as? Int == 36)
        await local.remove()
    }
}
