package import MonitorUI
internal import Synchronization

/// What the node side and the UI thread share: the ``Dashboard`` behind a mutex, and why the
/// monitor should stop, if it should.
///
/// The aggregator tasks apply events under the lock; the UI thread copies the dashboard under
/// the lock (a value copy, cheap because its collections are copy-on-write) and renders the
/// copy outside it, so a slow frame never holds up the node.
package final class MonitorHub: Sendable {
    private let dashboard: Mutex<Dashboard>
    private let exit = Mutex<MonitorExit?>(nil)
    private let send: @Sendable (AddressedCommand) -> Void

    /// A hub over `dashboard`.
    ///
    /// - Parameters:
    ///   - dashboard: the starting state, one node per monitored node.
    ///   - send: delivers a command to its node; must not block (the UI thread calls it).
    package init(dashboard: Dashboard, send: @escaping @Sendable (AddressedCommand) -> Void) {
        self.dashboard = Mutex(dashboard)
        self.send = send
    }

    /// Changes the dashboard under the lock (the aggregators fold events in with this).
    package func update(_ body: (inout Dashboard) -> Void) {
        self.dashboard.withLock { body(&$0) }
    }

    /// A copy of the dashboard to render.
    package func snapshot() -> Dashboard {
        self.dashboard.withLock { $0 }
    }

    /// Handles a key; sends the command it produces (outside the lock) and notes a quit.
    package func handle(_ key: Key, at now: Int64) {
        let (command, quits) = self.dashboard.withLock { dashboard in
            (dashboard.handle(key, at: now), dashboard.isQuitRequested)
        }
        if let command { self.send(command) }
        if quits { self.requestExit(.quit) }
    }

    /// Records the terminal size in the dashboard.
    package func resize(to size: Size) {
        self.dashboard.withLock { $0.resize(to: size) }
    }

    /// Asks the UI to stop; the first reason given is kept.
    package func requestExit(_ reason: MonitorExit) {
        self.exit.withLock { if $0 == nil { $0 = reason } }
    }

    /// Why the monitor should stop, once something asked.
    package var exitReason: MonitorExit? { self.exit.withLock { $0 } }
}
