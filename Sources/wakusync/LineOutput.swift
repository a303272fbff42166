internal import Foundation
internal import Synchronization

/// Writes lines to standard output on a queue of its own, so a reader that stops reading (a full
/// pipe, a paused terminal) stalls neither the node's tasks nor its shutdown. At most `limit`
/// writes wait; later lines are dropped, and the next line that gets through says how many. A
/// reader that closes (`| head`) ends the lines, not the node.
final class LineOutput: Sendable {
    private struct Backlog {
        var waiting = 0
        var dropped = 0
        /// The reader has gone (EPIPE): nothing more is written, the node runs on.
        var closed = false
    }

    private let queue = DispatchQueue(label: "wakusync.stdout")
    private let backlog = Mutex(Backlog())
    private let limit: Int
    private let droppedNotice: @Sendable (Int) -> String

    init(limit: Int = 4_096, droppedNotice: @escaping @Sendable (Int) -> String) {
        self.limit = limit
        self.droppedNotice = droppedNotice
    }

    /// Queues `text` (newline-terminated lines), or drops it when the backlog is full.
    func write(_ text: String) {
        let accepted = self.backlog.withLock { backlog in
            guard !backlog.closed else { return false }
            guard backlog.waiting < self.limit else {
                backlog.dropped += 1
                return false
            }
            backlog.waiting += 1
            return true
        }
        guard accepted else { return }
        self.queue.async {
            let (dropped, closed) = self.backlog.withLock { backlog in
                defer { backlog.dropped = 0 }
                return (backlog.dropped, backlog.closed)
            }
            let notice = dropped > 0 ? self.droppedNotice(dropped) + "\n" : ""
            let written = closed || StandardStreams.write(notice + text, to: .standardOutput)
            self.backlog.withLock { backlog in
                backlog.waiting -= 1
                backlog.closed = backlog.closed || !written
            }
            if !written {
                StandardStreams.write(
                    "wakusync: standard output was closed; event lines stop, the node runs on\n",
                    to: .standardError
                )
            }
        }
    }

    /// Waits until every queued line is written, or `timeout` passed (the reader is gone).
    func drain(within timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while self.backlog.withLock({ $0.waiting > 0 }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
