internal import WakuCore
internal import WakuSync

/// A decoded message on its way into the archive, with the hash we computed ourselves.
///
/// Built where the bytes were decoded (a transfer stream's task, a Store client), so hashing costs
/// nothing on the engine's actor.
struct IncomingMessage: Sendable {
    let pubsubTopic: String
    let message: WakuMessage
    /// Computed here from the message and its pubsub topic, never taken from the sender.
    let hash: MessageHash
    /// The hash the sender named for it (a Store entry's key), compared by the acceptance rule.
    let claimedHash: MessageHash?
    /// The message's encoded size, which the acceptance rule and the memory budgets count.
    let size: Int

    init(pubsubTopic: String, message: WakuMessage, claimedHash: MessageHash? = nil) {
        self.pubsubTopic = pubsubTopic
        self.message = message
        self.hash = message.hash(pubsubTopic: pubsubTopic)
        self.claimedHash = claimedHash
        self.size = message.encodedSize
    }

    var syncID: SyncID { SyncID(timestamp: self.message.timestamp, hash: self.hash) }
}
