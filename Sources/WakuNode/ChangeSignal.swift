internal import Synchronization

/// Wakes the tasks waiting for some state to change, instead of having them poll a clock.
///
/// Waiters read ``generation`` while they check their condition and pass it to
/// ``wait(after:)``, which returns at once if a change was announced in between: no wake-up is
/// lost between the check and the wait. Cancellation ends a wait.
final class ChangeSignal: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var nextWaiter: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    init() {}

    /// Changes announced so far.
    var generation: UInt64 { self.state.withLock { $0.generation } }

    /// Announces a change: every waiter wakes.
    func notify() {
        let waiters = self.state.withLock { state in
            state.generation += 1
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Waits for a change announced after `generation` (or for cancellation).
    func wait(after generation: UInt64) async {
        let id = self.state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = self.state.withLock { state in
                    guard state.generation == generation, !Task.isCancelled else { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            self.state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// Waits until `condition` holds, re-checking it after every change.
    func wait(until condition: () async -> Bool) async {
        while !Task.isCancelled {
            let generation = self.generation
            if await condition() { return }
            await self.wait(after: generation)
        }
    }
}

/// Runs `body`, giving up after `timeout` on `clock`: nil when the time ran out first.
func withTimeout<T: Sendable>(
    _ timeout: Duration,
    on clock: any Clock<Duration>,
    _ body: @escaping @Sendable () async -> T
) async -> T? {
    await withTaskGroup(of: T?.self) { group in
        group.addTask { await body() }
        group.addTask {
            try? await clock.sleep(for: timeout)
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}
