/// One pubsub RPC, the unit of every frame on a gossipsub stream (PROTOCOLS.md §10.2).
///
/// Plain values: ``RPC/encoded()`` writes nwaku's bytes, ``RPC/init(decoding:limits:)`` reads
/// anything a peer may send within the limits.
package struct RPC: Equatable, Sendable {
    /// A SUBSCRIBE or UNSUBSCRIBE for one topic (`SubOpts`).
    package struct Subscription: Equatable, Sendable {
        /// True to subscribe, false to unsubscribe.
        package var subscribe: Bool
        /// The pubsub topic.
        package var topic: String

        /// A subscription entry.
        package init(subscribe: Bool, topic: String) {
            self.subscribe = subscribe
            self.topic = topic
        }
    }

    /// A published message as it travels (`Message`).
    ///
    /// We write only `data` and `topic` (StrictNoSign); the other four fields are kept on input so
    /// the router can apply nwaku's LaxNoSign checks (§10.3).
    package struct Message: Equatable, Sendable {
        /// The author's peer id (multihash bytes), when the sender included it.
        package var from: [UInt8]?
        /// The payload: for Waku, an encoded WakuMessage.
        package var data: [UInt8]
        /// The author's sequence number; must be 8 bytes when present.
        package var seqno: [UInt8]?
        /// The pubsub topic (required on the wire).
        package var topic: String
        /// A signature; we do not verify signatures, so the router rejects messages that carry one.
        package var signature: [UInt8]?
        /// The author's public key, when it cannot be inlined in `from`.
        package var key: [UInt8]?

        /// A message; leave the LaxNoSign fields nil to write StrictNoSign.
        package init(
            from: [UInt8]? = nil,
            data: [UInt8],
            seqno: [UInt8]? = nil,
            topic: String,
            signature: [UInt8]? = nil,
            key: [UInt8]? = nil
        ) {
            self.from = from
            self.data = data
            self.seqno = seqno
            self.topic = topic
            self.signature = signature
            self.key = key
        }
    }

    /// IHAVE: message ids the sender holds for a topic.
    package struct IHave: Equatable, Sendable {
        /// The topic the ids belong to.
        package var topic: String
        /// The advertised message ids.
        package var messageIDs: [[UInt8]]

        /// An IHAVE entry.
        package init(topic: String, messageIDs: [[UInt8]]) {
            self.topic = topic
            self.messageIDs = messageIDs
        }
    }

    /// IWANT or IDONTWANT: a list of message ids (the two share one wire shape).
    package struct MessageIDList: Equatable, Sendable {
        /// The requested (IWANT) or refused (IDONTWANT) message ids.
        package var messageIDs: [[UInt8]]

        /// A list of message ids.
        package init(messageIDs: [[UInt8]]) {
            self.messageIDs = messageIDs
        }
    }

    /// GRAFT: the sender added us to its mesh for a topic.
    package struct Graft: Equatable, Sendable {
        /// The topic of the mesh.
        package var topic: String

        /// A GRAFT entry.
        package init(topic: String) {
            self.topic = topic
        }
    }

    /// A peer offered in a PRUNE for peer exchange.
    package struct PeerInfo: Equatable, Sendable {
        /// The peer id bytes.
        package var peerID: [UInt8]
        /// A signed peer record envelope, possibly empty.
        package var signedPeerRecord: [UInt8]

        /// A peer exchange record.
        package init(peerID: [UInt8], signedPeerRecord: [UInt8]) {
            self.peerID = peerID
            self.signedPeerRecord = signedPeerRecord
        }
    }

    /// PRUNE: the sender removed us from its mesh for a topic.
    package struct Prune: Equatable, Sendable {
        /// The topic of the mesh.
        package var topic: String
        /// Peer exchange candidates (nwaku sends them only with `--relay-peer-exchange`; we ignore them).
        package var peers: [PeerInfo]
        /// Seconds before the receiver may GRAFT again; 0 (or absent) means no backoff.
        package var backoff: UInt64

        /// A PRUNE entry.
        package init(topic: String, peers: [PeerInfo] = [], backoff: UInt64) {
            self.topic = topic
            self.peers = peers
            self.backoff = backoff
        }
    }

    /// The control part of an RPC (`ControlMessage`).
    package struct Control: Equatable, Sendable {
        /// Field 1.
        package var ihave: [IHave]
        /// Field 2.
        package var iwant: [MessageIDList]
        /// Field 3.
        package var graft: [Graft]
        /// Field 4.
        package var prune: [Prune]
        /// Field 5 (gossipsub v1.2).
        package var idontwant: [MessageIDList]

        /// A control part with the given entries.
        package init(
            ihave: [IHave] = [],
            iwant: [MessageIDList] = [],
            graft: [Graft] = [],
            prune: [Prune] = [],
            idontwant: [MessageIDList] = []
        ) {
            self.ihave = ihave
            self.iwant = iwant
            self.graft = graft
            self.prune = prune
            self.idontwant = idontwant
        }

        /// True when no entry of any kind is present; nwaku omits such a control part.
        package var isEmpty: Bool {
            self.ihave.isEmpty && self.iwant.isEmpty && self.graft.isEmpty && self.prune.isEmpty
                && self.idontwant.isEmpty
        }
    }

    /// Field 1.
    package var subscriptions: [Subscription]
    /// Field 2 (`publish`).
    package var messages: [Message]
    /// Field 3; nil when absent.
    package var control: Control?

    /// An RPC with the given parts.
    package init(subscriptions: [Subscription] = [], messages: [Message] = [], control: Control? = nil) {
        self.subscriptions = subscriptions
        self.messages = messages
        self.control = control
    }
}
