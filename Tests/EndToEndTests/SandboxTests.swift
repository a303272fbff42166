import Foundation
import Testing
import WakuTestSupport

/// The unit's sandbox holds only if the node works inside it. There is no systemd to run the unit
/// here, so each test applies one of its restrictions the way systemd does, from a small Python
/// wrapper that then execs the binary, and runs a node and a sync session under it.
@Suite("wakusync under the unit's sandbox", .timeLimit(.minutes(2)))
struct SandboxTests {
    /// `MemoryDenyWriteExecute=yes`: nothing may map memory both writable and executable. Sets the
    /// kernel's PR_SET_MDWE (65) with PR_MDWE_REFUSE_EXEC_GAIN (1), which systemd uses on Linux 6.3
    /// and later and which survives execve; prints "unsupported" and exits 3 on older kernels.
    static let memoryWrapper = """
        import ctypes, os, sys
        if ctypes.CDLL(None, use_errno=True).prctl(65, 1, 0, 0, 0) != 0:
            print("unsupported", flush=True)
            sys.exit(3)
        os.execv(sys.argv[1], sys.argv[1:])
        """

    /// `SystemCallFilter=` and `RestrictAddressFamilies=`, read from the unit (the environment
    /// variables ALLOW, DENY, FAMILIES): a libseccomp filter allowing the groups' system calls as
    /// systemd-analyze expands them, minus the denied groups, `socket` only for the families, and
    /// failing everything else with EPERM (`SystemCallErrorNumber=EPERM`).
    static let systemCallWrapper = """
        import ctypes, os, socket, subprocess, sys
        def expand(group, seen):
            out = subprocess.run(["systemd-analyze", "syscall-filter", group],
                                 capture_output=True, text=True, check=True).stdout
            names = set()
            for line in out.splitlines()[1:]:
                word = line.strip()
                if not word or word.startswith("#"):
                    continue
                if word.startswith("@"):
                    if word not in seen:
                        seen.add(word)
                        names |= expand(word, seen)
                else:
                    names.add(word)
            return names
        try:
            lib = ctypes.CDLL("libseccomp.so.2")
            allowed = set()
            for group in os.environ["ALLOW"].split():
                allowed |= expand(group, set())
            for group in os.environ["DENY"].split():
                allowed -= expand(group, set())
        except (OSError, subprocess.CalledProcessError):
            print("unsupported", flush=True)
            sys.exit(3)
        class Compare(ctypes.Structure):
            _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int),
                        ("a", ctypes.c_uint64), ("b", ctypes.c_uint64)]
        lib.seccomp_init.restype = ctypes.c_void_p
        lib.seccomp_init.argtypes = [ctypes.c_uint32]
        lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
        lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int,
                                               ctypes.c_uint, ctypes.POINTER(Compare)]
        lib.seccomp_load.argtypes = [ctypes.c_void_p]
        ALLOW = 0x7FFF0000
        context = lib.seccomp_init(0x00050000 | 1)
        allowed.discard("socket")
        for name in sorted(allowed):
            number = lib.seccomp_syscall_resolve_name(name.encode())
            if number >= 0 and lib.seccomp_rule_add_array(context, ALLOW, number, 0, None) != 0:
                sys.exit("cannot allow " + name)
        number = lib.seccomp_syscall_resolve_name(b"socket")
        for family in os.environ["FAMILIES"].split():
            compare = Compare(0, 4, getattr(socket, family), 0)
            if lib.seccomp_rule_add_array(context, ALLOW, number, 1, ctypes.byref(compare)) != 0:
                sys.exit("cannot allow " + family)
        if lib.seccomp_load(context) != 0:
            sys.exit("cannot load the filter")
        os.execv(sys.argv[1], sys.argv[1:])
        """

    /// The values of `setting=` lines in the unit, in order.
    static func unitSettings(_ setting: String) throws -> [String] {
        let unit = try String(
            contentsOf: DeployTests.repository.appendingPathComponent("deploy/wakusync.service"),
            encoding: .utf8
        )
        return unit.split(separator: "\n").filter { $0.hasPrefix(setting + "=") }.map {
            String($0.dropFirst(setting.count + 1))
        }
    }

    /// The environment the system-call wrapper reads the unit's filter from.
    static func systemCallEnvironment() throws -> [String: String] {
        let filters = try Self.unitSettings("SystemCallFilter")
        var environment = ProcessInfo.processInfo.environment
        environment["ALLOW"] = filters.filter { !$0.hasPrefix("~") }.joined(separator: " ")
        environment["DENY"] = filters.filter { $0.hasPrefix("~") }.map { String($0.dropFirst()) }.joined(separator: " ")
        environment["FAMILIES"] = try Self.unitSettings("RestrictAddressFamilies").joined(separator: " ")
        return environment
    }

    static func python() -> URL? {
        ["/usr/bin/python3", "/usr/local/bin/python3"].map { URL(fileURLWithPath: $0) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// `wakusync arguments…` under `wrapper`, to completion.
    static func run(
        _ python: URL,
        _ wrapper: String,
        _ environment: [String: String],
        _ arguments: [String],
        stdin: Data = Data()
    ) throws -> ChildProcess.Result {
        try ChildProcess.run(
            python,
            ["-c", wrapper, Executables.wakusync.path] + arguments,
            stdin: stdin,
            environment: environment,
            timeout: .seconds(60)
        )
    }

    @Test("a node and a sync session run with write-and-execute memory refused, as MemoryDenyWriteExecute does")
    func memoryDenyWriteExecute() async throws {
        try await Self.nodeAndSession(
            wrapper: Self.memoryWrapper,
            environment: ProcessInfo.processInfo.environment,
            skipped: "this kernel has no PR_SET_MDWE (Linux 6.3 and later)"
        )
    }

    @Test("a node and a sync session run under the unit's SystemCallFilter and RestrictAddressFamilies")
    func systemCallFilter() async throws {
        let environment = try Self.systemCallEnvironment()
        #expect(environment["ALLOW"] == "@system-service")
        #expect(environment["FAMILIES"] == "AF_INET AF_INET6 AF_UNIX")
        try await Self.nodeAndSession(
            wrapper: Self.systemCallWrapper,
            environment: environment,
            skipped: "no libseccomp or systemd-analyze to build the unit's filter with"
        )
    }

    /// Imports messages into one data directory, starts a headless node on it and syncs a second
    /// one with it, all under `wrapper`.
    static func nodeAndSession(wrapper: String, environment: [String: String], skipped: String) async throws {
        guard let python = Self.python() else {
            print("skipped: no python3 to apply the sandbox with")
            return
        }
        let directory = try TemporaryDirectory(prefix: "wakusync-sandbox")
        defer { directory.remove() }
        let remoteData = directory.file("remote").path
        let lines = (0..<5).map { SyncCommandTests.line("sandboxed \($0)", secondsAgo: 60 + Int64($0)) }
        let imported = try Self.run(
            python,
            wrapper,
            environment,
            ["archive", "import", "-", "--data-dir", remoteData],
            stdin: Data(lines.joined(separator: "\n").utf8)
        )
        if imported.status == 3 && imported.stdout.hasPrefix("unsupported") {
            print("skipped: \(skipped)")
            return
        }
        #expect(imported.status == 0, "\(imported.stderr)")
        let process = Process()
        process.executableURL = python
        process.arguments = [
            "-c", wrapper, Executables.wakusync.path, "run", "--headless", "--data-dir", remoteData,
            "--listen", "/ip4/127.0.0.1/tcp/0", "--store-sync-interval", "0",
        ]
        process.environment = environment
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
            wrapper,
            environment,
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
