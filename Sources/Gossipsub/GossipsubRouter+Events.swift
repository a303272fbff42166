extension GossipsubRouter {
    /// What the driver tells the router; see ``GossipsubRouter/handle(_:at:)``.
    package enum Event: Sendable {
        /// A peer can now exchange RPCs: call it once the connection is up and a relay stream
        /// is negotiated; `isOutbound` is true when we dialed the connection (the `Dout` quota).
        case peerConnected(Peer, protocol: GossipsubProtocol, isOutbound: Bool)
        /// The peer's connection is gone (or we gave up on our stream to it).
        case peerDisconnected(Peer)
        /// Our stream to the peer failed while the connection lasts, and will be opened again
        /// (then ``peerConnected(_:protocol:isOutbound:)`` again): as nim-libp2p, the peer leaves
        /// every mesh (with the prune backoff) and the fanout, but its subscriptions and score
        /// stay, since its own stream to us still carries them.
        case streamClosed(Peer)
        /// One RPC frame read from a peer's stream, without its length prefix.
        case frameReceived([UInt8], from: Peer)
        /// The periodic tick, every ``GossipsubConfiguration/heartbeatInterval``.
        case heartbeat
        /// We join a topic.
        case subscribe(topic: String)
        /// We leave a topic.
        case unsubscribe(topic: String)
        /// We publish `data` on `topic`.
        case publish(topic: String, data: [UInt8])
        /// The application's verdict on a message from a ``Action/validate(_:)`` action.
        case validated(messageID: [UInt8], result: ValidationResult)
    }

    /// What the router asks the driver to do, in order.
    package enum Action: Equatable, Sendable {
        /// Write this RPC frame (protobuf bytes; the driver adds the length prefix) to the peer.
        case send([UInt8], to: Peer)
        /// Validate this message and answer with ``Event/validated(messageID:result:)``.
        case validate(InboundMessage)
        /// A message passed validation and was forwarded: hand it to the application.
        case deliver(InboundMessage)
        /// The peer's score fell below the graylist threshold: close its connection.
        case disconnect(Peer)
        /// Something worth counting happened.
        case trace(TraceEvent)
    }

    /// A message received from a peer, as the application sees it.
    package struct InboundMessage: Equatable, Sendable {
        /// The pubsub topic it came on.
        package var topic: String
        /// Its payload (for Waku, the encoded WakuMessage).
        package var data: [UInt8]
        /// Its message id, from the injected message-id function.
        package var messageID: [UInt8]
        /// The peer that sent us the copy being validated.
        package var source: Peer

        /// A message with its id and the peer it came from.
        package init(topic: String, data: [UInt8], messageID: [UInt8], source: Peer) {
            self.topic = topic
            self.data = data
            self.messageID = messageID
            self.source = source
        }
    }

    /// Events for metrics and logs; the router's behaviour does not depend on anyone reading them.
    package enum TraceEvent: Equatable, Sendable {
        /// A peer entered our mesh for a topic (we grafted it, or accepted its GRAFT).
        case meshJoined(topic: String, peer: Peer)
        /// A peer left our mesh for a topic (pruned either way, unsubscribed or disconnected).
        case meshLeft(topic: String, peer: Peer)
        /// We sent a GRAFT.
        case graftSent(topic: String, peer: Peer)
        /// We sent a PRUNE.
        case pruneSent(topic: String, peer: Peer)
        /// We received a GRAFT.
        case graftReceived(topic: String, peer: Peer)
        /// We received a PRUNE.
        case pruneReceived(topic: String, peer: Peer)
        /// We sent an IHAVE with this many ids.
        case iHaveSent(peer: Peer, count: Int)
        /// We received IHAVEs with this many ids in all.
        case iHaveReceived(peer: Peer, count: Int)
        /// We sent an IWANT with this many ids.
        case iWantSent(peer: Peer, count: Int)
        /// We received IWANTs with this many ids in all.
        case iWantReceived(peer: Peer, count: Int)
        /// We answered IWANTs with this many messages.
        case iWantAnswered(peer: Peer, count: Int)
        /// We sent an IDONTWANT for a large message.
        case iDontWantSent(peer: Peer)
        /// We received IDONTWANTs with this many ids in all.
        case iDontWantReceived(peer: Peer, count: Int)
        /// A message we had seen arrived again.
        case duplicate(messageID: [UInt8], from: Peer)
        /// A received message went no further.
        case dropped(messageID: [UInt8], from: Peer, reason: DropReason)
        /// A message was accepted and forwarded to this many peers.
        case accepted(messageID: [UInt8], from: Peer, forwardedTo: Int)
        /// Our publish went to this many peers.
        case published(topic: String, messageID: [UInt8], peerCount: Int)
        /// Our publish was not sent.
        case publishFailed(topic: String, reason: PublishFailure)
        /// A peer's RPC did not decode.
        case decodeFailed(peer: Peer, error: RPCDecodingError)
        /// A peer's frame exceeded the frame size limit and was dropped unread.
        case frameTooLarge(peer: Peer, size: Int)
        /// A frame from a graylisted peer was ignored.
        case graylistedFrameIgnored(peer: Peer)
        /// A frame of ours to a peer would exceed the frame size limit and was not sent.
        case outgoingFrameTooLarge(peer: Peer, size: Int)
        /// A peer's behaviour penalty grew.
        case penalized(peer: Peer, reason: PenaltyReason)
        /// A peer's score fell below the graylist threshold.
        case graylisted(peer: Peer, score: Double)
    }

    /// How full the router's bounded state is, for metrics and for tests of the bounds.
    package struct Occupancy: Equatable, Sendable {
        /// Ids in the seen cache.
        package var seenMessages: Int
        /// Messages in the message cache.
        package var cachedMessages: Int
        /// Bytes of data in the message cache.
        package var cachedBytes: Int
        /// Messages waiting for validation.
        package var pendingValidations: Int
        /// Bytes of data in messages waiting for validation.
        package var pendingBytes: Int
        /// Backoff entries over all topics.
        package var backoffs: Int
        /// Peers with score counters, connected or retained.
        package var scoredPeers: Int
        /// Topic subscriptions tracked over all peers.
        package var peerTopics: Int
        /// IDONTWANT ids held over all peers.
        package var iDontWants: Int
        /// IHAVE ids we could still be asked for, over all peers.
        package var advertisedIDs: Int
    }
}
