import Foundation
import Testing
import WakuTestSupport

/// The unit's `MemoryDenyWriteExecute=yes` holds only if nothing in the process maps memory that
/// is both writable and executable. systemd enforces it with a seccomp filter or, on Linux 6.3 and
/// later, the kernel's own PR_SET_MDWE, which survives execve: run the binary under that.
@Suite("wakusync under the unit's sandbox", .timeLimit(.minutes(2)))
struct SandboxTests {
    /// Sets PR_SET_MDWE (65) with PR_MDWE_REFUSE_EXEC_GAIN (1), then execs its arguments; prints
    /// "unsupported" and exits 3 where the kernel has no such prctl.
    static let wrapper = """
        import ctypes, os, sys
        if ctypes.CDLL(None, use_errno=True).prctl(65, 1, 0, 0, 0) != 0:
            print("unsupported", flush=True)
            sys.exit(3)
        os.execv(sys.argv[1], sys.argv[1:])
        """

    static func python() -> URL? {
        ["/usr/bin/python3", "/usr/local/bin/python3"].map { URL(fileURLWithPath: $0) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// `wakusync arguments…` under the wrapper, to completion.
    static func run(_ python: URL, _ arguments: [String], stdin: Data = Data()) throws -> ChildProcess.Result {
        try ChildProcess.run(
            python,
            ["-c", Self.wrapper, Executables.wakusync.path] + arguments,
            stdin: stdin,
            timeout: .seconds(60)
        )
    }

    @Test("a node and a sync session run with write-and-execute memory refused, as MemoryDenyWriteExecute does")
    func memoryDenyWriteExecute() async throws {
        guard let python = Self.python() else {
            print("skipped: no python3 to set PR_SET_MDWE with")
            return
        }
        let directory = try TemporaryDirectory(prefix: "wakusync-mdwe")
        defer { directory.remove() }
        let remoteData = directory.file("remote").path
        let lines = (0..<5).map { SyncCommandTests.line("sandboxed \($0)", secondsAgo: 60 + Int64($0)) }
        let imported = try Self.run(
            python,
            ["archive", "import", "-", "--data-dir", remoteData],
            stdin: Data(lines.joined(separator: "\n").utf8)
        )
        if imported.status == 3 && imported.stdout.hasPrefix("unsupported") {
            print("skipped: this kernel has no PR_SET_MDWE (Linux 6.3 and later)")
            return
        }
        #expect(imported.status == 0, "\(imported.stderr)")
        let process = Process()
        process.executableURL = python
        process.arguments = [
            "-c", Self.wrapper, Executables.wakusync.path, "run", "--headless", "--data-dir", remoteData,
            "--listen", "/ip4/127.0.0.1/tcp/0", "--store-sync-interval", "0",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let reader = LineReader(output.fileHandleForReading)
        let address = try #require(await reader.next(), "the node printed no address")
        #expect(address.hasPrefix("/ip4/127.0.0.1/tcp/"), "\(address)")
        let sync = try Self.run(
            python,
            [
                "sync", "--peer", address, "--once", "--json", "--settle", "20", "--listen", "/ip4/127.0.0.1/tcp/0",
                "--data-dir", directory.file("local").path,
            ]
        )
        #expect(sync.status == 0, "\(sync.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(sync.stdout.utf8)) as? [String: Any])
        #expect(report["outcome"] as? String == "reconciled", "\(sync.stdout)")
        #expect(report["messagesReceived"] as? Int == 5, "\(sync.stdout)")
        kill(process.processIdentifier, SIGTERM)
        #expect(process.waitForExit(within: .seconds(20)), "SIGTERM stops the node")
        #expect(process.terminationStatus == 0)
    }
}
