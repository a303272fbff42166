/// The application's verdict on a message the router asked it to validate (libp2p's
/// `ValidationResult`).
package enum ValidationResult: String, Sendable {
    /// Valid: cache it, forward it to the mesh and deliver it.
    case accept
    /// Invalid: drop it and count an invalid delivery (P4) against the peer that sent it.
    case reject
    /// Not wanted, but not the sender's fault: drop it without a penalty.
    case ignore
}

/// Why a received message went no further.
package enum DropReason: String, Sendable {
    /// We are not subscribed to its topic (no penalty, as in nwaku).
    case notSubscribed
    /// It carries a signature. We do not verify signatures, so we cannot tell a good one from a bad
    /// one; nwaku verifies and rejects bad ones, and Waku publishers never sign, so we reject all.
    case signaturePresent
    /// Its seqno is present but not 8 bytes long.
    case invalidSeqno
    /// The application rejected it.
    case rejected
    /// The application ignored it.
    case ignored
    /// Too many messages (or bytes) were waiting for validation; it was dropped before being
    /// marked seen, so a later copy is validated.
    case validationQueueFull
    /// The application gave no verdict within the seen-cache TTL.
    case validationTimedOut
}

/// Why a peer's behaviour penalty (P7) grew.
package enum PenaltyReason: String, Sendable {
    /// It sent a GRAFT while we had it in backoff for that topic (nim-libp2p).
    case graftDuringBackoff
    /// Its RPC did not decode (nim-libp2p).
    case undecodableRPC
    /// It sent more subscriptions in one RPC than we act on (nim-libp2p's `topicsHigh`).
    case tooManySubscriptions
    /// It subscribed to more topics than we track per peer (ours).
    case tooManyTopics
    /// It sent more IHAVEs in one heartbeat than we act on (ours).
    case iHaveFlood
    /// It asked for more message ids we never advertised to it than nim-libp2p tolerates (ours).
    case iWantFlood
}

/// Why one of our own publishes was not sent.
package enum PublishFailure: String, Sendable {
    /// The topic is empty.
    case emptyTopic
    /// The RPC would exceed the frame size limit.
    case tooLarge
    /// No peer to send it to (it is then not marked seen, as in nim-libp2p).
    case noPeers
    /// The same data was published or received within the seen-cache TTL.
    case duplicate
}
