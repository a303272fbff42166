import ArgumentParser
import CommandConfig
import Foundation
import Testing

/// A small command line with the kinds of options wakusync's commands have.
struct Tool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tool",
        subcommands: [Serve.self, Plain.self, Query.self]
    )
}

struct Serve: ParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    @Option var configFile: String?
    @Option var name = "default"
    @Option var clusterID: UInt16 = 0
    @Option var shard: [UInt16] = []
    @Option(name: [.customLong("peer"), .customLong("staticnode")]) var peers: [String] = []
    @Option var storeSyncInterval: Double = 300
    @Option var storeMessageDbUrl: String?
    @Option var logFormat: Format = .text
    @Flag var headless = false
}

/// A command with `--config-file` and few options.
struct Query: ParsableCommand {
    @Option var configFile: String?
    @Option var name = "query"
    @Flag var json = false
}

/// A command without `--config-file`.
struct Plain: ParsableCommand {
    @Option var name = "plain"
}

/// A temporary directory holding config files, removed by `remove()`.
struct ConfigDirectory {
    let url: URL

    init() throws {
        self.url = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.url, withIntermediateDirectories: true)
    }

    /// Writes `text` to a new file and returns its path.
    func file(_ text: String, name: String = "wakusync.toml") throws -> String {
        let path = self.url.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func remove() {
        try? FileManager.default.removeItem(at: self.url)
    }
}

@Suite("--config-file", .timeLimit(.minutes(1)))
struct ConfigArgumentsTests {
    /// Expands `arguments` as `wakusync` does and parses the result as a `Serve` command.
    static func serve(_ arguments: [String]) throws -> Serve {
        let expanded = try ConfigArguments.expand(arguments) { Tool._dumpHelp() }
        let command = try Tool.parseAsRoot(expanded)
        return try #require(command as? Serve)
    }

    /// The error expanding `arguments` throws.
    static func failure(_ arguments: [String]) -> ConfigFileError? {
        do {
            _ = try ConfigArguments.expand(arguments) { Tool._dumpHelp() }
            return nil
        } catch {
            return error
        }
    }

    @Test("a config file sets options of every type, by their long names")
    func setsOptions() throws {
        let directory = try ConfigDirectory()
        defer { directory.remove() }
        let path = try directory.file(
            """
            name = "from-file"
            cluster-id = 7
            store-sync-interval = 30
            store-message-db-url = "postgres://postgres:test123@postgres:5432/postgres"
            log-format = "json"
            """
        )
        let serve = try Self.serve(["serve", "--config-file", path])
        #expect(serve.name == "from-file")
        #expect(serve.clusterID == 7)
        #expect(serve.storeSyncInterval == 30)
        #expect(serve.storeMessageDbUrl == "postgres://postgres:test123@postgres:5432/postgres")
        #expect(serve.logFormat == .json)
        let equals = try Self.serve(["serve", "--config-file=\(path)"])
        #expect(equals.clusterID == 7)
    }

    @Test("an option on the command line replaces the file's, before or after --config-file")
    func commandLineWins() throws {
        let directory = try ConfigDirectory()
        defer { directory.remove() }
        let path = try directory.file("name = \"from-file\"\ncluster-id = 7\nshard = [0, 1]\n")
        let before = try Self.serve(["serve", "--name", "typed", "--config-file", path, "--shard", "5"])
        #expect(before.name == "typed")
        #expect(before.clusterID == 7)
        #expect(before.shard == [5])
        let after = try Self.serve(["serve", "--config-file", path, "--cluster-id=2"])
        #expect(after.clusterID == 2)
        #expect(after.shard == [0, 1])
    }

    @Test("arrays give a repeatable option every element, under any of its names")
    func arrays() throws {
        let directory = try ConfigDirectory()
        defer { directory.remove() }
        let path = try directory.file(
            """
            shard = [0, 1, 1023]
            staticnode = ["/ip4/10.0.0.1/tcp/60000/p2p/a", "/ip4/10.0.0.2/tcp/60000/p2p/b"]
            """
        )
        let serve = try Self.serve(["serve", "--config-file", path])
        #expect(serve.shard == [0, 1, 1023])
        #expect(serve.peers == ["/ip4/10.0.0.1/tcp/60000/p2p/a", "/ip4/10.0.0.2/tcp/60000/p2p/b"])
        let one = try Self.serve(["serve", "--config-file", try directory.file("shard = 4", name: "one.toml")])
        #expect(one.shard == [4])
    }

    @Test("a boolean sets or leaves out a flag")
    func booleans() throws {
        let directory = try ConfigDirectory()
        defer { directory.remove() }
        let on = try Self.serve(["serve", "--config-file", try directory.file("headless = true", name: "on.toml")])
        #expect(on.headless)
        let off = try Self.serve(["serve", "--config-file", try directory.file("headless = false", name: "off.toml")])
        #expect(!off.headless)
    }

    @Test("an unknown key is an error naming the key, the file and the command")
    func unknownKey() throws {
        let directory = try ConfigDirectory()
        defer { directory.remove() }
        let path = try directory.file("name = \"x\"\nrest-port = 8645\n")
        let error = try #require(Self.failure(["serve", "--config-file", path]))
        #expect(error == .unknownKey(path: path, key: "rest-port", command: "tool serve"))
        #expect(error.description.contains("'rest-port'"))
        #expect(error.description.contains(path))
    }

    @Test("a key of another command only is skipped, so one file serves every command; one of none fails")
    func otherCommandsKeys() throws {
        let directory = try ConfigDirectory()
        defer { directory.remove() }
        let path = try directory.file("name = \"shared\"\nheadless = true\ncluster-id = 7\njson = true\n")
        let expanded = try ConfigArguments.expand(["query", "--config-file", path]) { Tool._dumpHelp() }
        let query = try #require(try Tool.parseAsRoot(expanded) as? Query)
        #expect(query.name == "shared")
        #expect(query.json)
        #expect(!expanded.contains("--headless") && !expanded.contains { $0.hasPrefix("--cluster-id") })
        let serve = try Self.serve(["serve", "--config-file", try directory.file("headless = true\n", name: "s.toml")])
        #expect(serve.headless)
        let typo = try directory.file("name = \"shared\"\nheadles = true\n", name: "typo.toml")
        #expect(
            Self.failure(["query", "--config-file", typo])
                == .unknownKey(path: typo, key: "headles", command: "tool query")
        )
    }

    @Test(
        "a value of the wrong type names the key and the type expected",
        arguments: [
            ("cluster-id = \"7\"", "cluster-id", "an integer", "a string"),
            ("store-sync-interval = \"30\"", "store-sync-interval", "a number", "a string"),
            ("headless = \"yes\"", "headless", "a boolean (true or false)", "a string"),
            ("name = true", "name", "a string or a number", "a boolean"),
            ("name = [\"a\"]", "name", "a string or a number", "an array"),
            ("log-format = 1", "log-format", "a string, one of: text, json", "an integer"),
            ("shard = [[0]]", "shard", "an array of strings or numbers", "an array"),
            ("shard = { a = 1 }", "shard", "an array of strings or numbers", "a table"),
        ]
    )
    func wrongType(line: String, key: String, expected: String, found: String) throws {
        let directory = try ConfigDirectory()
        defer { directory.remove() }
        let path = try directory.file(line)
        let error = try #require(Self.failure(["serve", "--config-file", path]))
        #expect(error == .wrongType(path: path, key: key, expected: expected, found: found))
    }

    @Test("a password in a database URL is never printed, whatever the error")
    func noPassword() throws {
        let directory = try ConfigDirectory()
        defer { directory.remove() }
        for text in [
            "store-message-db-url = [\"postgres://u:s3cret@h/db\"]",
            "store-message-db-url = \"postgres://u:s3cret@h/db\"\nbogus = 1",
            "store-message-db-url = \"postgres://u:s3cret@h/db\"\nname = [\"postgres://u:s3cret@h/db\"]",
        ] {
            let error = try #require(Self.failure(["serve", "--config-file", try directory.file(text)]))
            #expect(!error.description.contains("s3cret"), "\(error)")
        }
    }

    @Test("a missing file, an unreadable one and bad TOML are clear errors naming the file")
    func badFiles() throws {
        let directory = try ConfigDirectory()
        defer { directory.remove() }
        let missing = directory.url.appendingPathComponent("absent.toml").path
        let error = try #require(Self.failure(["serve", "--config-file", missing]))
        #expect(error.description == "cannot read the config file \(missing): no such file")
        let broken = try directory.file("name = \"x\"\ncluster-id = = 3\n", name: "broken.toml")
        guard
            case .invalidTOML(let path, let line, _, _) = try #require(
                Self.failure(["serve", "--config-file", broken])
            )
        else {
            Issue.record("not reported as invalid TOML")
            return
        }
        #expect(path == broken)
        #expect(line == 2)
        let folder = try #require(Self.failure(["serve", "--config-file", directory.url.path]))
        guard case .unreadable(_, "it is a directory") = folder else {
            Issue.record("a directory was not reported unreadable: \(folder)")
            return
        }
    }

    @Test("keys that print, exit or name another file are refused")
    func reserved() throws {
        let directory = try ConfigDirectory()
        defer { directory.remove() }
        for key in ["help", "config-file"] {
            let path = try directory.file("\(key) = true")
            #expect(Self.failure(["serve", "--config-file", path]) == .notAllowed(path: path, key: key))
        }
    }

    @Test("without --config-file, or on a command without it, the arguments are left alone")
    func untouched() throws {
        var read = false
        let plain = ["serve", "--name", "x"]
        #expect(
            try ConfigArguments.expand(plain) {
                read = true
                return Tool._dumpHelp()
            } == plain
        )
        #expect(!read)
        let other = ["plain", "--config-file", "/nonexistent.toml"]
        #expect(try ConfigArguments.expand(other) { Tool._dumpHelp() } == other)
        let twice = ["serve", "--config-file", "a", "--config-file=b"]
        #expect(Self.failure(twice) == .givenTwice)
        let afterTerminator = ["serve", "--", "--config-file", "a"]
        #expect(try ConfigArguments.expand(afterTerminator) { Tool._dumpHelp() } == afterTerminator)
    }
}
