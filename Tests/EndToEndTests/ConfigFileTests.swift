import Foundation
import Testing
import WakuTestSupport

/// `wakusync run --config-file`, through the built binary.
@Suite("wakusync --config-file", .timeLimit(.minutes(2)))
struct ConfigFileTests {
    @Test("a headless node takes its options from the file, and the command line's --listen replaces the file's")
    func headlessNodeFromFile() async throws {
        let directory = try TemporaryDirectory(prefix: "wakusync-config")
        defer { directory.remove() }
        let config = directory.file("wakusync.toml")
        try """
        # An unusable address: the command line's --listen must replace it, not add to it.
        listen = ["/ip4/127.0.0.1/tcp/1"]
        cluster-id = 7
        shard = [3, 5]
        strategy = "nwaku"
        store-resume = false
        """.write(to: config, atomically: true, encoding: .utf8)
        let child = try await HeadlessNode.start(
            dataDir: directory.file("node").path,
            arguments: ["--config-file", config.path]
        )
        defer { child.kill() }
        #expect(child.address.hasPrefix("/ip4/127.0.0.1/tcp/"), "\(child.address)")
        #expect(!child.address.hasPrefix("/ip4/127.0.0.1/tcp/1/"), "\(child.address)")
        let lines = await child.lines.read { $0.contains { $0.contains("node started") } }
        let started = try #require(lines.first { $0.contains("node started") }, "\(lines)")
        #expect(started.contains("cluster=7"), "\(started)")
        #expect(started.contains("shards=3,5"), "\(started)")
        #expect(started.contains("nwaku"), "\(started)")
        #expect(!started.contains("tcp/1,") && !started.hasSuffix("tcp/1"), "\(started)")
        #expect(child.terminate(), "SIGTERM stops the node")
    }

    @Test("an unknown key stops the command before it starts, naming the key and the file, never the password")
    func unknownKey() throws {
        let directory = try TemporaryDirectory(prefix: "wakusync-config")
        defer { directory.remove() }
        let config = directory.file("wakusync.toml")
        try """
        store-message-db-url = "postgres://postgres:s3cret@127.0.0.1:1/postgres"
        rest-port = 8645
        """.write(to: config, atomically: true, encoding: .utf8)
        let result = try ChildProcess.run(
            Executables.wakusync,
            ["run", "--headless", "--data-dir", directory.file("node").path, "--config-file", config.path],
            timeout: .seconds(60)
        )
        #expect(result.status != 0)
        #expect(result.stderr.contains("unknown key 'rest-port'"), "\(result.stderr)")
        #expect(result.stderr.contains(config.path), "\(result.stderr)")
        #expect(!(result.stderr + result.stdout).contains("s3cret"))
        #expect(!FileManager.default.fileExists(atPath: directory.file("node").path), "nothing ran")
    }

    @Test("a value of the right type that the command refuses is reported with the file's name")
    func refusedValue() throws {
        let directory = try TemporaryDirectory(prefix: "wakusync-config")
        defer { directory.remove() }
        let config = directory.file("wakusync.toml")
        try "metrics-port = 99999\n".write(to: config, atomically: true, encoding: .utf8)
        let result = try ChildProcess.run(
            Executables.wakusync,
            ["run", "--headless", "--data-dir", directory.file("node").path, "--config-file", config.path],
            timeout: .seconds(60)
        )
        #expect(result.status != 0)
        #expect(result.stderr.contains("--metrics-port must be"), "\(result.stderr)")
        #expect(result.stderr.contains("note: options were read from \(config.path) first"), "\(result.stderr)")
        let help = try ChildProcess.run(Executables.wakusync, ["run", "--config-file", config.path, "--help"])
        #expect(help.status == 0)
        #expect(!help.stderr.contains("note:"), "no note when nothing failed")
    }
}
