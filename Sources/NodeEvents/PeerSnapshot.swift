/// Everything the node knows about one peer, sent whole whenever any of it changes.
package struct PeerSnapshot: Equatable, Sendable, Identifiable {
    /// Connection state.
    package enum State: String, Sendable {
        case connecting
        case connected
        case disconnected
        /// Waiting before the next reconnect attempt.
        case backingOff
    }

    /// Who dialled.
    package enum Direction: String, Sendable {
        case inbound
        case outbound
    }

    package var peerID: String
    package var id: String { self.peerID }
    /// The address we dial or were dialled from, when known.
    package var address: String?
    package var state: State
    package var direction: Direction?
    /// Protocols the peer announced through identify.
    package var protocols: [String]
    package var agentVersion: String?
    /// Cluster and shards the peer announced through Waku metadata.
    package var clusterID: UInt16?
    package var shards: [UInt16]
    /// A `--peer` / `--staticnode` peer, reconnected when lost.
    package var isStatic: Bool
    /// Paused peers are skipped by the scheduler and their sessions refused.
    package var isPaused: Bool
    /// Wall-clock end of the last finished session, nanoseconds.
    package var lastSyncAt: Int64?
    /// How that session ended, in a few words.
    package var lastSyncOutcome: String?
    package var sessionsCompleted: Int
    package var sessionsFailed: Int
    /// Differences found with this peer, summed over sessions: items we lacked ...
    package var differencesWeNeeded: Int
    /// ... and items it lacked.
    package var differencesTheyNeeded: Int
    package var messagesReceived: Int
    package var messagesSent: Int
    /// Last ping round-trip time.
    package var roundTripTime: Duration?
    package var lastError: String?
    /// When the next reconnect attempt is due (wall clock, nanoseconds), while backing off.
    package var reconnectAt: Int64?

    package init(peerID: String, state: State) {
        self.peerID = peerID
        self.address = nil
        self.state = state
        self.direction = nil
        self.protocols = []
        self.agentVersion = nil
        self.clusterID = nil
        self.shards = []
        self.isStatic = false
        self.isPaused = false
        self.lastSyncAt = nil
        self.lastSyncOutcome = nil
        self.sessionsCompleted = 0
        self.sessionsFailed = 0
        self.differencesWeNeeded = 0
        self.differencesTheyNeeded = 0
        self.messagesReceived = 0
        self.messagesSent = 0
        self.roundTripTime = nil
        self.lastError = nil
        self.reconnectAt = nil
    }

    /// Whether the peer announced the reconciliation protocol (it can be synced with).
    package var speaksSync: Bool { self.protocols.contains("/vac/waku/reconciliation/1.0.0") }
    /// Whether the peer announced Store v3 (it can serve resume and fetches).
    package var speaksStore: Bool { self.protocols.contains("/vac/waku/store-query/3.0.0") }
}
