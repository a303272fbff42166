import Foundation
import Testing
import WakuTestSupport

/// The real monitor over the demo cluster, driven through tmux on a private socket (issue #6).
@Suite("wakusync demo in a terminal", .serialized)
struct MonitorDemoTests {
    static func demo(width: Int, height: Int, arguments: String = "") throws -> TmuxSession {
        try TmuxSession(
            command: "\(Executables.wakusync.path) demo \(arguments)",
            width: width,
            height: height,
            environment: ["SWIFT_BACKTRACE": "interactive=no"]
        )
    }

    @Test(
        "converges on screen, acts on s and p, shows help, quits on q and restores the terminal",
        .timeLimit(.minutes(3))
    )
    func session() async throws {
        let tmux = try Self.demo(width: 160, height: 48)
        defer { tmux.kill() }
        try await tmux.waitFor("in sync", timeout: .seconds(120))
        try tmux.send("s")
        try await tmux.waitFor("sync requested")
        try tmux.send("p")
        try await tmux.waitUntil("the pause request") {
            $0.contains("pause requested") || $0.contains("unpause requested")
        }
        try tmux.send("?")
        try await tmux.waitFor("wakusync keys")
        try tmux.send("Escape")
        try await tmux.waitUntil("the help screen to close") { !$0.contains("wakusync keys") }
        try tmux.send("q")
        // q asks first while a session runs; a second q confirms.
        let screen = try tmux.capture()
        if screen.contains("Quit while") { try tmux.send("q") }
        let report = try await tmux.exitReport(timeout: .seconds(60))
        #expect(report.status == 0)
        #expect(report.terminalRestored)
    }

    @Test("lays out again on resize, and asks for 80×24 below it", .timeLimit(.minutes(2)))
    func resize() async throws {
        let tmux = try Self.demo(width: 80, height: 24)
        defer { tmux.kill() }
        try await tmux.waitFor("Peers", timeout: .seconds(60))
        try tmux.resize(width: 70, height: 20)
        try await tmux.waitFor("need at least 80×24")
        try tmux.resize(width: 160, height: 48)
        try await tmux.waitFor("┌─ Peers")
        try tmux.send("C-c")
        let report = try await tmux.exitReport(timeout: .seconds(60))
        #expect(report.terminalRestored)
    }

    @Test(
        "refuses a terminal it cannot drive, pointing at --headless, and leaves it untouched",
        .timeLimit(.minutes(1))
    )
    func refusals() async throws {
        let piped = try ChildProcess.run(Executables.wakusync, ["demo"], timeout: .seconds(30))
        #expect(piped.status != 0)
        #expect(piped.stderr.contains("--headless"))
        let dumb = try TmuxSession(
            command: "\(Executables.wakusync.path) demo 2>&1",
            width: 80,
            height: 24,
            environment: ["TERM": "dumb"]
        )
        defer { dumb.kill() }
        let report = try await dumb.exitReport()
        #expect(report.status != 0)
        #expect(report.terminalRestored)
        // The line wraps at 80 columns: read the screen as one string.
        #expect(try dumb.capture().replacingOccurrences(of: "\n", with: "").contains("use --headless"))
    }
}
