internal import Dispatch

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Turns SIGINT, SIGTERM and SIGHUP into a callback while the monitor owns the terminal, so the
/// UI thread can leave curses cleanly instead of the process dying mid-frame.
///
/// The signals are ignored *before* `newterm` (ncurses only
/// installs its own handlers when the action is SIG_DFL), and dispatch sources deliver them.
/// The sources are created in a nonisolated function (a closure formed in a `@MainActor`
/// context traps when libdispatch runs it), and the caller keeps the watch alive with
/// `withExtendedLifetime` (release builds freed them early otherwise).
package final class SignalWatch {
    /// The signals that end the monitor.
    package static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    private let sources: [any DispatchSourceSignal]

    private init(sources: [any DispatchSourceSignal]) {
        self.sources = sources
    }

    /// Ignores the signals' default actions and calls `handler` with each one that arrives.
    package nonisolated static func start(_ handler: @escaping @Sendable (Int32) -> Void) -> SignalWatch {
        var sources: [any DispatchSourceSignal] = []
        for number in Self.signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { handler(number) }
            source.resume()
            sources.append(source)
        }
        return SignalWatch(sources: sources)
    }

    /// Stops delivering. The signals stay ignored: the caller is shutting down, and restoring
    /// SIG_DFL here would kill the process on a second Ctrl-C before its archive is flushed.
    package func stop() {
        for source in self.sources { source.cancel() }
    }
}
