internal import Foundation
internal import MonitorUI
package import NodeEvents

/// A node the monitor watches: its name (shown in the header; `1`–`9` switch between nodes in
/// the order given), its event stream, and where its commands go.
package struct MonitoredNode: Sendable {
    package var name: String
    /// The node's events. Make it bounded and newest-first
    /// (`AsyncStream.makeStream(of: NodeEvent.self, bufferingPolicy: .bufferingNewest(1024))`),
    /// so a slow screen never slows the node.
    package var events: AsyncStream<NodeEvent>
    /// Delivers a command to the node. Called on the UI thread: it must not block (yield into an
    /// `AsyncStream` continuation, for example).
    package var send: @Sendable (NodeCommand) -> Void

    /// A node to watch.
    package init(name: String, events: AsyncStream<NodeEvent>, send: @escaping @Sendable (NodeCommand) -> Void) {
        self.name = name
        self.events = events
        self.send = send
    }
}

/// How the monitor draws and where its stderr goes.
package struct MonitorOptions: Sendable {
    /// `--ascii`: draw with ASCII only (also chosen when the locale is not UTF-8).
    package var asciiOnly = false
    /// `--no-color`: the monochrome theme (also chosen when `NO_COLOR` is set or the terminal has
    /// no colours).
    package var noColor = false
    /// Where stderr goes while the monitor owns the screen; nil discards it.
    package var logFile: String?
    package var framesPerSecond = 10
    /// `TERM` and `NO_COLOR` are read from here.
    package var environment = ProcessInfo.processInfo.environment

    /// The monitor's options; the defaults draw Unicode in colour (when the terminal has it) at
    /// 10 frames a second and discard stderr.
    package init(asciiOnly: Bool = false, noColor: Bool = false, logFile: String? = nil, framesPerSecond: Int = 10) {
        self.asciiOnly = asciiOnly
        self.noColor = noColor
        self.logFile = logFile
        self.framesPerSecond = framesPerSecond
    }

    /// Whether the monochrome theme applies before knowing the terminal's colours.
    package var prefersMonochrome: Bool {
        self.noColor || !(self.environment["NO_COLOR"] ?? "").isEmpty
    }
}

/// Shows the monitor over `nodes` until the operator quits (`q`, confirmed while a session
/// runs), SIGINT, SIGTERM or SIGHUP arrives, the terminal hangs up, or the calling task is
/// cancelled; returns which.
///
/// Refuses an unsuitable terminal (not a tty, `TERM` unset, `dumb` or unknown) with a one-line
/// ``TerminalError`` pointing at `--headless`, before touching it. While it runs, curses lives on
/// one dedicated thread, stderr goes to `options.logFile`, and the terminal is restored on every
/// way out, crashes included. Events are folded into the dashboard by one task per node; the UI
/// thread only copies it under a lock, so the node is never blocked by the screen.
@discardableResult
package func runMonitor(nodes: [MonitoredNode], options: MonitorOptions) async throws -> MonitorExit {
    precondition(!nodes.isEmpty, "the monitor needs at least one node")
    try TerminalCheck.verify(environment: options.environment)
    let redirect = try StandardErrorRedirect(path: options.logFile ?? "/dev/null")
    defer { redirect.restore() }
    let originalStandardError = redirect.original
    let senders = nodes.map(\.send)
    var dashboard = Dashboard(nodeNames: nodes.map(\.name))
    dashboard.logFile = options.logFile
    let hub = MonitorHub(dashboard: dashboard) { addressed in
        senders[addressed.node](addressed.command)
    }
    return try await withThrowingTaskGroup(of: Void.self) { group in
        for (index, node) in nodes.enumerated() {
            group.addTask {
                for await event in node.events {
                    let now = WallClock.now()
                    hub.update { $0.apply(event, fromNode: index, at: now) }
                }
            }
        }
        defer { group.cancelAll() }
        return try await withTaskCancellationHandler {
            try await UIThread.run {
                try MonitorSession(hub: hub, options: options, originalStandardError: originalStandardError).run()
            }
        } onCancel: {
            hub.requestExit(.cancelled)
        }
    }
}

/// The part of the monitor that runs on the UI thread, from taking over the terminal to giving
/// it back.
private struct MonitorSession {
    let hub: MonitorHub
    let options: MonitorOptions
    let originalStandardError: Int32

    /// Takes the terminal, runs the frame loop, restores the terminal; nonisolated, so the signal
    /// handlers formed here never carry an actor's isolation check.
    nonisolated func run() throws -> MonitorExit {
        let hub = self.hub
        let signals = SignalWatch.start { number in hub.requestExit(.signal(number)) }
        defer { signals.stop() }
        TerminalRestore.arm(originalStandardError: self.originalStandardError)
        defer { TerminalRestore.disarm() }
        let terminal = try CursesTerminal(term: self.options.environment["TERM"] ?? "")
        defer { terminal.close() }
        let renderer = Renderer(
            theme: self.options.prefersMonochrome || !terminal.hasColours ? .monochrome : .colour,
            glyphs: self.options.asciiOnly || !terminal.localeIsUTF8 ? .ascii : .unicode,
            utcOffset: TimeZone.current.secondsFromGMT()
        )
        let loop = FrameLoop(renderer: renderer, framesPerSecond: self.options.framesPerSecond)
        return withExtendedLifetime(signals) { loop.run(on: terminal, hub: hub) }
    }
}

/// A dedicated OS thread for blocking work (curses' `wget_wch`), awaited without blocking the
/// cooperative pool (STYLE.md §9).
package enum UIThread {
    /// Runs `body` on a new thread named `wakusync-ui` and returns its result.
    package static func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                // Named from inside: a name set before start is not applied on Linux, and the
                // thread would carry its creator's (a dispatch worker's) name in ps and top.
                Thread.current.name = "wakusync-ui"
                continuation.resume(with: Swift.Result { try body() })
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}
