import Foundation
import Testing
import WakuTestSupport

/// The operator's kit in `deploy/` and `scripts/install-extras.sh`, checked with the built binary
/// and the system's own tools (systemd-analyze, groff, man, bash, zsh, fish: `scripts/setup.sh`).
@Suite("Deployment kit", .timeLimit(.minutes(2)))
struct DeployTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The path of `tool` on PATH, or nil (the test then says what it skipped).
    static func tool(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// Every subcommand name in the binary's own definitions, nested ones included, but `help`.
    static func subcommands() throws -> [String] {
        let dump = try ChildProcess.run(Executables.wakusync, ["--experimental-dump-help"], timeout: .seconds(30))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        func names(_ command: [String: Any]) -> [String] {
            (command["subcommands"] as? [[String: Any]] ?? []).flatMap { sub -> [String] in
                guard let name = sub["commandName"] as? String, name != "help",
                    sub["shouldDisplay"] as? Bool ?? true
                else { return [] }
                return [name] + names(sub)
            }
        }
        return names(try #require(json["command"] as? [String: Any]))
    }

    /// Runs `scripts/install-extras.sh` into a new prefix under `directory`.
    static func installExtras(in directory: TemporaryDirectory) throws -> URL {
        let prefix = directory.file("prefix")
        var environment = ProcessInfo.processInfo.environment
        environment["WAKUSYNC"] = Executables.wakusync.path
        let result = try ChildProcess.run(
            URL(fileURLWithPath: "/bin/bash"),
            [Self.repository.appendingPathComponent("scripts/install-extras.sh").path, prefix.path],
            environment: environment,
            timeout: .seconds(60)
        )
        #expect(result.status == 0, "\(result.stderr)")
        return prefix
    }

    @Test(
        "the example config file names only options wakusync has, with the types they take, for every command",
        arguments: [["run"], ["sync"], ["demo"], ["archive", "stats"], ["archive", "import"]]
    )
    func exampleConfig(command: [String]) throws {
        let config = Self.repository.appendingPathComponent("deploy/wakusync.toml").path
        // --help after the expansion: every key is checked, nothing starts.
        let result = try ChildProcess.run(
            Executables.wakusync,
            command + ["--config-file", config, "--help"],
            timeout: .seconds(30)
        )
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("--config-file"), "\(result.stdout)")
    }

    @Test("systemd-analyze verify accepts the unit, with the binary and man page it names in place")
    func unitVerifies() throws {
        guard let analyze = Self.tool("systemd-analyze") else {
            print("skipped: systemd-analyze is not installed (scripts/setup.sh installs systemd)")
            return
        }
        let directory = try TemporaryDirectory(prefix: "wakusync-unit")
        defer { directory.remove() }
        let prefix = try Self.installExtras(in: directory)
        let unit = try String(
            contentsOf: Self.repository.appendingPathComponent("deploy/wakusync.service"),
            encoding: .utf8
        )
        #expect(unit.contains("LoadCredential=wakusync.toml:/etc/wakusync/wakusync.toml"))
        #expect(
            unit.contains(
                "ExecStart=/usr/local/bin/wakusync run --headless --config-file ${CREDENTIALS_DIRECTORY}/wakusync.toml"
            )
        )
        for setting in [
            "DynamicUser=yes", "StateDirectory=wakusync", "Restart=on-failure", "NoNewPrivileges=yes",
            "ProtectSystem=strict", "MemoryDenyWriteExecute=yes", "CapabilityBoundingSet=\n",
            "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX", "SystemCallFilter=@system-service",
        ] {
            #expect(unit.contains(setting), "the unit lacks \(setting)")
        }
        // verify checks that ExecStart's binary exists: point it at the one just built.
        let copy = directory.file("wakusync.service")
        try unit.replacingOccurrences(of: "/usr/local/bin/wakusync", with: Executables.wakusync.path)
            .write(to: copy, atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        // Documentation= names man:wakusync(1); verify runs man for it.
        environment["MANPATH"] = prefix.appendingPathComponent("share/man").path + ":"
        environment["SYSTEMD_LOG_LEVEL"] = "notice"
        let result = try ChildProcess.run(
            URL(fileURLWithPath: analyze),
            ["verify", copy.path],
            environment: environment,
            timeout: .seconds(60)
        )
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(!result.stderr.contains("wakusync.service"), "\(result.stderr)")
    }

    @Test("the installed completions name every subcommand and parse in their shells")
    func completions() throws {
        let directory = try TemporaryDirectory(prefix: "wakusync-extras")
        defer { directory.remove() }
        let prefix = try Self.installExtras(in: directory)
        let scripts = [
            ("bash", "share/bash-completion/completions/wakusync", ["-n"]),
            ("zsh", "share/zsh/site-functions/_wakusync", ["-n"]),
            ("fish", "share/fish/vendor_completions.d/wakusync.fish", ["--no-execute"]),
        ]
        let subcommands = try Self.subcommands()
        #expect(subcommands.contains("run") && subcommands.contains("import"))
        for (shell, path, check) in scripts {
            let script = try String(contentsOf: prefix.appendingPathComponent(path), encoding: .utf8)
            for name in subcommands where shell == "bash" {
                #expect(script.contains(name), "the bash completion does not mention \(name)")
            }
            #expect(script.contains("config-file"), "\(shell)")
            guard let binary = Self.tool(shell) else {
                print("skipped: \(shell) is not installed, its completion's syntax is unchecked")
                continue
            }
            let result = try ChildProcess.run(
                URL(fileURLWithPath: binary),
                check + [prefix.appendingPathComponent(path).path],
                timeout: .seconds(30)
            )
            #expect(result.status == 0, "\(shell): \(result.stderr)")
        }
    }

    @Test("the man page lists every command and option and formats without a warning")
    func manualPage() throws {
        let directory = try TemporaryDirectory(prefix: "wakusync-man")
        defer { directory.remove() }
        let page = try Self.installExtras(in: directory).appendingPathComponent("share/man/man1/wakusync.1")
        let text = try String(contentsOf: page, encoding: .utf8)
        #expect(text.hasPrefix(".TH WAKUSYNC 1"))
        for name in try Self.subcommands() {
            #expect(text.contains(" \(name)\""), "no section for \(name)")
        }
        #expect(text.contains("\\fB\\-\\-store\\-message\\-db\\-url\\fR"))
        #expect(text.contains("\\fB\\-\\-config\\-file\\fR"))
        #expect(!text.contains("manual\""), "the hidden command stays out")
        let ascii = text.unicodeScalars.allSatisfy { $0.isASCII }
        #expect(ascii, "non-ASCII left unescaped")
        guard let groff = Self.tool("groff") else {
            print("skipped: groff is not installed (scripts/setup.sh installs groff-base)")
            return
        }
        let formatted = try ChildProcess.run(
            URL(fileURLWithPath: groff),
            ["-man", "-Tutf8", "-ww", "-z", page.path],
            timeout: .seconds(30)
        )
        #expect(formatted.status == 0)
        #expect(formatted.stderr.isEmpty, "\(formatted.stderr)")
        if let man = Self.tool("man") {
            let checked = try ChildProcess.run(
                URL(fileURLWithPath: man),
                ["--warnings", "-l", page.path],
                environment: ["MANPAGER": "cat", "PAGER": "cat", "MANWIDTH": "80", "PATH": "/usr/bin:/bin"],
                timeout: .seconds(30)
            )
            #expect(checked.status == 0)
            #expect(checked.stderr.isEmpty, "\(checked.stderr)")
            #expect(checked.stdout.contains("config"))
        }
    }
}
