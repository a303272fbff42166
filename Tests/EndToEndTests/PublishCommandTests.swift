import Foundation
import Testing
import WakuCore
import WakuTestSupport

@Suite("wakusync publish", .timeLimit(.minutes(2)))
struct PublishCommandTests {
    @Test("a message published through a --relay node is stored there under the printed hash")
    func publishes() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let node = try await HeadlessNode.start(dataDir: directory.file("node").path, arguments: ["--relay"])
        defer { _ = node.terminate() }
        let timestamp = Int64(Date().timeIntervalSince1970 * 1e9)
        let publish = try ChildProcess.run(
            Executables.wakusync,
            [
                "publish", "--peer", node.address, "--pubsub-topic", "/waku/2/rs/0/0", "--content-topic",
                "/wakusync/1/publish/proto", "--timestamp", "\(timestamp)", "-",
            ],
            stdin: Data("from standard input".utf8),
            timeout: .seconds(60)
        )
        #expect(publish.status == 0, "\(publish.stderr)")
        let expected = WakuMessage(
            payload: Array("from standard input".utf8),
            contentTopic: "/wakusync/1/publish/proto",
            timestamp: timestamp
        ).hash(pubsubTopic: "/waku/2/rs/0/0")
        #expect(publish.stdout == expected.hex + "\n")
        let stored = try await NodeCluster.eventually(timeout: .seconds(20)) {
            let query = try ChildProcess.run(
                Executables.wakusync,
                ["query", "--peer", node.address, "--hash", expected.hex, "--data-dir", directory.file("client").path],
                timeout: .seconds(30)
            )
            return query.status == 0 && query.stdout.contains(expected.hex)
        }
        #expect(stored)
    }

    @Test("a peer without relay makes publish fail with status 2 and a reason")
    func noRelay() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let node = try await HeadlessNode.start(dataDir: directory.file("node").path)
        defer { _ = node.terminate() }
        let publish = try ChildProcess.run(
            Executables.wakusync,
            [
                "publish", "--peer", node.address, "--pubsub-topic", "/waku/2/rs/0/0", "--content-topic",
                "/wakusync/1/publish/proto", "--payload", "nobody listens", "--timeout", "2",
            ],
            timeout: .seconds(60)
        )
        #expect(publish.status == 2)
        #expect(publish.stderr.contains("did not subscribe to /waku/2/rs/0/0"), "\(publish.stderr)")
        #expect(publish.stdout.isEmpty)
    }
}
