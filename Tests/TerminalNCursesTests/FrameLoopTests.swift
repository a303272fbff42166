import MonitorUI
import NodeEvents
import Synchronization
import TerminalNCurses
import Testing
import WakuTestSupport

/// A terminal that replays scripted input and records what was painted. `.timeout` in a script
/// is time passing (the loop paints); when the script runs out it lets one frame be painted,
/// then reports a hang-up, so every loop ends.
final class ScriptedTerminal: TerminalBackend {
    var size: Size
    var script: [TerminalInput]
    var frames: [CellGrid] = []
    var timeouts: [Duration] = []
    private var isDrained = false

    init(size: Size = Size(width: 80, height: 24), _ script: [TerminalInput]) {
        self.size = size
        self.script = script
    }

    func readInput(timeout: Duration) -> TerminalInput {
        self.timeouts.append(timeout)
        guard !self.script.isEmpty else {
            defer { self.isDrained = true }
            return self.isDrained ? .hangUp : .timeout
        }
        let input = self.script.removeFirst()
        if case .key(.character("R")) = input {
            self.size = Size(width: 160, height: 48)
            return .resize
        }
        return input
    }

    func paint(_ grid: CellGrid) { self.frames.append(grid) }
}

/// Collects the commands the hub sends.
final class CommandLog: Sendable {
    private let commands = Mutex<[AddressedCommand]>([])

    func append(_ command: AddressedCommand) { self.commands.withLock { $0.append(command) } }
    var all: [AddressedCommand] { self.commands.withLock { $0 } }
}

@Suite("the frame loop against a scripted terminal")
struct FrameLoopTests {
    static func run(
        _ script: [TerminalInput],
        dashboard: Dashboard = MonitorFixtures.busyDashboard(),
        before: (MonitorHub) -> Void = { _ in }
    ) -> (MonitorExit, ScriptedTerminal, [AddressedCommand], Dashboard) {
        let log = CommandLog()
        let hub = MonitorHub(dashboard: dashboard) { log.append($0) }
        before(hub)
        let terminal = ScriptedTerminal(script)
        let loop = FrameLoop(
            renderer: Renderer(theme: .colour, glyphs: .unicode),
            framesPerSecond: 10,
            wallClock: { MonitorFixtures.now }
        )
        let exit = loop.run(on: terminal, hub: hub)
        return (exit, terminal, log.all, hub.snapshot())
    }

    @Test("s, p and S send commands for the selected peer, then q asks while sessions run and q again quits")
    func keysBecomeCommands() {
        let peer = MonitorFixtures.peerIDs[1]
        let (exit, terminal, commands, _) = Self.run([
            .key(.character("s")), .key(.character("p")), .key(.character("S")), .key(.character("q")), .timeout,
            .key(.character("q")),
        ])
        #expect(exit == .quit)
        #expect(
            commands == [
                AddressedCommand(node: 0, command: .forceSync(peerID: peer)),
                AddressedCommand(node: 0, command: .pause(peerID: peer)),
                AddressedCommand(node: 0, command: .forceSync(peerID: nil)),
            ]
        )
        #expect(terminal.frames.last?.text.contains("Quit while 2 sessions run?") == true)
    }

    @Test("any other key answers no to the quit question")
    func quitCancelled() {
        let (exit, terminal, _, _) = Self.run([.key(.character("q")), .key(.character("n"))])
        #expect(exit == .hangUp)
        #expect(terminal.frames.last?.text.contains("cancelled") == true)
    }

    @Test("a node with no live session quits on the first q")
    func quitAtOnce() {
        let (exit, _, _, _) = Self.run([.key(.character("q"))], dashboard: MonitorFixtures.quietDashboard())
        #expect(exit == .quit)
    }

    @Test("keys in a burst are handled before one frame is painted")
    func burstPaintsOnce() {
        let keys = "/ip4/1.2.3.4/tcp/1".map { TerminalInput.key(.character($0)) }
        let (_, terminal, _, dashboard) = Self.run([.key(.character("a"))] + keys)
        #expect(dashboard.overlay == .prompt(Dashboard.Prompt(purpose: .addPeer, text: "/ip4/1.2.3.4/tcp/1")))
        // One frame at the start, one after the a, one after the burst of typed characters.
        #expect(terminal.frames.count <= 4)
        #expect(terminal.frames.last?.text.contains("/ip4/1.2.3.4/tcp/1") == true)
    }

    @Test("Enter in the add-peer prompt sends the multiaddr")
    func addPeer() {
        let address = "/ip4/10.0.0.2/tcp/60000"
        let keys = address.map { TerminalInput.key(.character($0)) }
        let (_, _, commands, _) = Self.run([.key(.character("a"))] + keys + [.key(.enter)])
        #expect(commands == [AddressedCommand(node: 0, command: .addPeer(multiaddr: address))])
    }

    @Test("a resize is laid out again at the new size")
    func resize() {
        let (_, terminal, _, dashboard) = Self.run([.key(.character("R"))])
        #expect(terminal.frames.last?.size == Size(width: 160, height: 48))
        #expect(dashboard.screen == Size(width: 160, height: 48))
    }

    @Test("a hang-up ends the loop")
    func hangUp() {
        let (exit, _, _, _) = Self.run([.hangUp, .key(.character("s"))])
        #expect(exit == .hangUp)
    }

    @Test("an exit requested from another thread (a signal) ends the loop before any frame")
    func signal() {
        let (exit, terminal, _, _) = Self.run([.key(.character("s"))]) { $0.requestExit(.signal(15)) }
        #expect(exit == .signal(15))
        #expect(terminal.frames.isEmpty)
    }

    @Test("1-9 switch the watched node; commands go to the watched node")
    func switchNodes() {
        let (_, terminal, commands, dashboard) = Self.run([.key(.character("3")), .key(.character("S"))])
        #expect(dashboard.watched == 2)
        #expect(commands == [AddressedCommand(node: 2, command: .forceSync(peerID: nil))])
        #expect(terminal.frames.last?.text.contains("[3]") == true)
    }

    @Test("between frames the loop waits for input instead of spinning")
    func waitsBetweenFrames() {
        let (_, terminal, _, _) = Self.run([.timeout, .timeout, .timeout])
        #expect(terminal.timeouts.dropFirst().allSatisfy { $0 > .milliseconds(50) })
    }
}
