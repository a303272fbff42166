internal import NIOCore
internal import Synchronization

/// What one connection holds and whether it is in use, shared by its muxer (event loop), its
/// streams' buffers (any thread) and the host's inbound slots.
///
/// The muxer resets a stream whose bytes would take ``unreadBytes`` past the connection's cap, and
/// an inbound connection idle for long enough may be closed to make room for a new one.
package final class ConnectionUsage: Sendable {
    private let unread = Atomic<Int>(0)
    private let idle: Mutex<NIODeadline?>

    /// A connection without streams since `now`.
    init(now: NIODeadline) {
        self.idle = Mutex(now)
    }

    /// Bytes that arrived on the connection's streams and that their readers have not taken yet.
    var unreadBytes: Int { self.unread.load(ordering: .relaxed) }

    /// Adds `delta` (negative when bytes are taken or dropped) to ``unreadBytes``.
    func addUnread(_ delta: Int) {
        self.unread.add(delta, ordering: .relaxed)
    }

    /// Since when the connection has had no stream open; nil while it has one.
    var idleSince: NIODeadline? {
        get { self.idle.withLock { $0 } }
        set { self.idle.withLock { $0 = newValue } }
    }
}
