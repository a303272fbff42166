/// Where stored messages came from.
package enum MessageSource: String, Sendable, CaseIterable {
    /// Pushed by a peer through transfer after reconciliation.
    case sync
    /// Fetched from a peer with Store hash queries after reconciliation.
    case fetch
    /// Store Resume at start-up.
    case resume
    /// `wakusync archive import`.
    case `import`
    /// Published locally through the node's API (`wakusync demo`'s generator, at the publishing node).
    case publish
    /// Received through Waku Relay (gossipsub) from a peer.
    case relay
}

extension MessageSource {
    /// How the message arrived, as a log line says it: "pushed", "fetched", …
    package var participle: String {
        switch self {
        case .sync: "pushed"
        case .fetch: "fetched"
        case .resume: "resumed"
        case .import: "imported"
        case .publish: "published"
        case .relay: "relayed"
        }
    }
}

/// One batch written to the archive.
package struct StoredBatch: Equatable, Sendable {
    package var source: MessageSource
    /// The peer it came from, if any.
    package var peerID: String?
    package var inserted: Int
    package var duplicates: Int
    /// Inserted messages per pubsub topic and per content topic.
    package var byPubsubTopic: [String: Int]
    package var byContentTopic: [String: Int]

    package init(
        source: MessageSource,
        peerID: String?,
        inserted: Int,
        duplicates: Int,
        byPubsubTopic: [String: Int],
        byContentTopic: [String: Int]
    ) {
        self.source = source
        self.peerID = peerID
        self.inserted = inserted
        self.duplicates = duplicates
        self.byPubsubTopic = byPubsubTopic
        self.byContentTopic = byContentTopic
    }
}

/// The archive's size.
package struct ArchiveSnapshot: Equatable, Sendable {
    package var messages: Int
    package var bytes: Int
    /// Oldest and newest message timestamps, nanoseconds.
    package var oldest: Int64?
    package var newest: Int64?
    /// Items in the sync index (the sync window).
    package var syncIndexItems: Int

    package init(messages: Int, bytes: Int, oldest: Int64?, newest: Int64?, syncIndexItems: Int) {
        self.messages = messages
        self.bytes = bytes
        self.oldest = oldest
        self.newest = newest
        self.syncIndexItems = syncIndexItems
    }
}

/// Progress of Store Resume.
package struct ResumeProgress: Equatable, Sendable {
    package enum State: Equatable, Sendable {
        case running
        case finished
        /// This peer failed; the node moves on to the next one if there is one.
        case failed(String)
        /// No store peer to resume from.
        case noPeer
    }

    package var state: State
    package var peerID: String?
    /// The window being resumed, nanoseconds.
    package var windowStart: Int64
    package var windowEnd: Int64
    package var pages: Int
    package var messages: Int
    /// How far forward the pages have reached (nanoseconds), for the progress bar.
    package var coveredUntil: Int64
    /// Wall clock, nanoseconds.
    package var startedAt: Int64

    package init(
        state: State,
        peerID: String?,
        windowStart: Int64,
        windowEnd: Int64,
        pages: Int,
        messages: Int,
        coveredUntil: Int64,
        startedAt: Int64
    ) {
        self.state = state
        self.peerID = peerID
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.pages = pages
        self.messages = messages
        self.coveredUntil = coveredUntil
        self.startedAt = startedAt
    }

    /// Share of the window covered, 0…1.
    package var fraction: Double {
        guard self.windowEnd > self.windowStart else { return self.state == .finished ? 1 : 0 }
        let done = Double(self.coveredUntil - self.windowStart) / Double(self.windowEnd - self.windowStart)
        return min(1, max(0, done))
    }
}
