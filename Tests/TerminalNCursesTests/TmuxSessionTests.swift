import Foundation
import Testing
import WakuTestSupport

@Suite(
    "the tmux helper the end-to-end tests use",
    .enabled(if: FileManager.default.fileExists(atPath: "/usr/bin/tmux"))
)
struct TmuxSessionTests {
    @Test("it starts a command at a size, waits for text, sends keys and reports the exit", .timeLimit(.minutes(1)))
    func roundTrip() async throws {
        let session = try TmuxSession(
            command: "printf 'ready %s\\n' \"$(tput cols)x$(tput lines)\"; read line; echo \"got $line\"; exit 3",
            width: 90,
            height: 20
        )
        defer { session.kill() }
        try await session.waitFor("ready 90x20")
        try session.type("hello")
        try session.send("Enter")
        let screen = try await session.waitFor("got hello")
        #expect(screen.contains("ready 90x20"))
        let report = try await session.exitReport()
        #expect(report.status == 3)
        #expect(report.terminalRestored)
    }

    @Test("a program that leaves the terminal changed is caught by the stty comparison", .timeLimit(.minutes(1)))
    func changedTerminal() async throws {
        let session = try TmuxSession(command: "stty -echo", width: 80, height: 24)
        defer { session.kill() }
        let report = try await session.exitReport()
        #expect(report.status == 0)
        #expect(!report.terminalRestored)
    }

    @Test("captures keep colours with escapes, and a resize reaches the program", .timeLimit(.minutes(1)))
    func escapesAndResize() async throws {
        let session = try TmuxSession(
            command:
                "printf '\\033[31mred\\033[0m\\n'; trap 'printf \"now %s\\n\" \"$(tput cols)\"' WINCH; for i in $(seq 300); do sleep 0.1; done",
            width: 80,
            height: 24
        )
        defer { session.kill() }
        try await session.waitFor("red")
        #expect(try session.captureWithEscapes().contains("\u{1B}[31mred"))
        try session.resize(width: 100, height: 30)
        try await session.waitFor("now 100")
    }
}
