package import MonitorUI

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// The UI thread's loop: wait for a key no longer than the next frame is due, handle it, and at
/// each frame render a copy of the dashboard and paint it.
///
/// `wget_wch`'s timeout is the frame clock, so the loop never spins; after keys it keeps reading
/// without waiting until the input is drained, then paints once (a pasted multiaddr is one frame).
package struct FrameLoop {
    /// Draws each frame.
    package var renderer: Renderer
    /// Frames when nothing is typed.
    package var framesPerSecond: Int
    /// Wall clock in nanoseconds since the epoch, for the reducer and the renderer.
    package var wallClock: () -> Int64

    /// A loop rendering with `renderer`, at least one frame a second.
    package init(renderer: Renderer, framesPerSecond: Int, wallClock: @escaping () -> Int64 = WallClock.now) {
        self.renderer = renderer
        self.framesPerSecond = max(1, framesPerSecond)
        self.wallClock = wallClock
    }

    /// Runs until ``MonitorHub/exitReason`` is set, and returns it.
    package func run(on terminal: some TerminalBackend, hub: MonitorHub) -> MonitorExit {
        let clock = ContinuousClock()
        let interval = Duration.seconds(1) / self.framesPerSecond
        var nextFrame = clock.now
        var isDirty = true
        hub.resize(to: terminal.size)
        while true {
            if let reason = hub.exitReason { return reason }
            let wait = isDirty ? Duration.zero : max(.zero, nextFrame - clock.now)
            let input = terminal.readInput(timeout: wait)
            switch input {
            case .key(let key):
                hub.handle(key, at: self.wallClock())
                isDirty = true
                continue
            case .resize:
                hub.resize(to: terminal.size)
                isDirty = true
                continue
            case .hangUp:
                hub.requestExit(.hangUp)
                continue
            case .timeout:
                break
            }
            if isDirty || clock.now >= nextFrame {
                let dashboard = hub.snapshot()
                terminal.paint(self.renderer.render(dashboard, size: terminal.size, now: self.wallClock()))
                isDirty = false
                nextFrame = clock.now + interval
            }
        }
    }
}

/// The wall clock the monitor shows times in: nanoseconds since the epoch, like NodeEvents.
package enum WallClock {
    /// `CLOCK_REALTIME` in nanoseconds.
    package static func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}
