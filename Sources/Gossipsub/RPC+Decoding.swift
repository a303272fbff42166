extension RPC {
    /// Hard caps applied while decoding; an RPC beyond any of them fails to decode as a whole.
    ///
    /// They bound the work and memory one frame can cost before the router looks at it. nwaku has
    /// no such caps (only the frame size); the defaults sit far above anything nwaku sends with its
    /// 32-byte ids, whose IHAVE of at most 5000 ids cannot exceed a 153600-byte frame anyway.
    package struct Limits: Equatable, Sendable {
        /// Subscriptions in one RPC. The router acts on fewer (``GossipsubConfiguration/Limits``).
        package var maxSubscriptions: Int
        /// Messages in one RPC.
        package var maxMessages: Int
        /// IHAVE, IWANT, GRAFT, PRUNE and IDONTWANT entries, plus PRUNE peer-exchange records, in one RPC.
        package var maxControlEntries: Int
        /// Message ids in all IHAVE, IWANT and IDONTWANT entries of one RPC together.
        package var maxMessageIDs: Int
        /// Bytes in one message id (a SHA-256 id has 32).
        package var maxMessageIDLength: Int

        /// Limits with the defaults described on each property.
        package init(
            maxSubscriptions: Int = 5000,
            maxMessages: Int = 1000,
            maxControlEntries: Int = 5000,
            maxMessageIDs: Int = 5000,
            maxMessageIDLength: Int = 64
        ) {
            self.maxSubscriptions = maxSubscriptions
            self.maxMessages = maxMessages
            self.maxControlEntries = maxControlEntries
            self.maxMessageIDs = maxMessageIDs
            self.maxMessageIDLength = maxMessageIDLength
        }
    }

    /// Decodes one RPC frame (the bytes after the length prefix).
    ///
    /// Unknown fields are skipped at every level (py-libp2p's `senderRecord`, nim's ping/pong).
    /// As in nim-libp2p, a message without a topic or with a `from` that is not a peer id makes
    /// the whole RPC fail.
    /// - Throws: ``RPCDecodingError`` naming the offset of the first problem.
    package init(decoding bytes: [UInt8], limits: Limits = Limits()) throws(RPCDecodingError) {
        var decoder = RPCDecoder(bytes: bytes, limits: limits)
        self = try decoder.decodeRPC()
    }
}

/// The state of one decode: the frame and the counts checked against the limits.
private struct RPCDecoder {
    let bytes: [UInt8]
    let limits: RPC.Limits
    var controlEntries = 0
    var messageIDs = 0

    init(bytes: [UInt8], limits: RPC.Limits) {
        self.bytes = bytes
        self.limits = limits
    }

    mutating func decodeRPC() throws(RPCDecodingError) -> RPC {
        var rpc = RPC()
        var reader = ProtobufReader(self.bytes, region: 0..<self.bytes.count)
        while !reader.isAtEnd {
            let field = try reader.readField()
            switch field.number {
            case 1:
                let region = try reader.readRegion(field, "subscription")
                try self.check(rpc.subscriptions.count < self.limits.maxSubscriptions, at: field, "subscriptions")
                rpc.subscriptions.append(try self.decodeSubscription(region))
            case 2:
                let region = try reader.readRegion(field, "message")
                try self.check(rpc.messages.count < self.limits.maxMessages, at: field, "messages")
                rpc.messages.append(try self.decodeMessage(region))
            case 3:
                let region = try reader.readRegion(field, "control")
                // nim keeps the last control part when there are several; its entries still count.
                rpc.control = try self.decodeControl(region)
            default:
                try reader.skip(field)
            }
        }
        return rpc
    }

    private func check(_ condition: Bool, at field: ProtobufReader.Field, _ what: String) throws(RPCDecodingError) {
        guard condition else {
            throw RPCDecodingError(.limitExceeded, at: field.offset, "too many \(what) in one RPC")
        }
    }

    private func decodeSubscription(_ region: Range<Int>) throws(RPCDecodingError) -> RPC.Subscription {
        var reader = ProtobufReader(self.bytes, region: region)
        var subscription = RPC.Subscription(subscribe: false, topic: "")
        while !reader.isAtEnd {
            let field = try reader.readField()
            switch field.number {
            case 1: subscription.subscribe = try reader.readUInt64(field, "subscribe flag") != 0
            case 2: subscription.topic = try reader.readString(field, "subscription topic")
            default: try reader.skip(field)
            }
        }
        return subscription
    }

    private func decodeMessage(_ region: Range<Int>) throws(RPCDecodingError) -> RPC.Message {
        var reader = ProtobufReader(self.bytes, region: region)
        var message = RPC.Message(data: [], topic: "")
        var hasTopic = false
        while !reader.isAtEnd {
            let field = try reader.readField()
            switch field.number {
            case 1:
                let from = try reader.readBytes(field, "message from")
                guard PeerIDShape.isValid(from) else {
                    throw RPCDecodingError(.invalidPeerID, at: field.offset, "message from is not a peer id")
                }
                message.from = from
            case 2: message.data = try reader.readBytes(field, "message data")
            case 3: message.seqno = try reader.readBytes(field, "message seqno")
            case 4:
                message.topic = try reader.readString(field, "message topic")
                hasTopic = true
            case 5: message.signature = try reader.readBytes(field, "message signature")
            case 6: message.key = try reader.readBytes(field, "message key")
            default: try reader.skip(field)
            }
        }
        guard hasTopic else {
            throw RPCDecodingError(.missingField, at: region.lowerBound, "message has no topic")
        }
        return message
    }

    private mutating func decodeControl(_ region: Range<Int>) throws(RPCDecodingError) -> RPC.Control {
        var reader = ProtobufReader(self.bytes, region: region)
        var control = RPC.Control()
        while !reader.isAtEnd {
            let field = try reader.readField()
            guard (1...5).contains(field.number) else {
                try reader.skip(field)
                continue
            }
            let inner = try reader.readRegion(field, "control entry")
            try self.countEntry(at: field)
            switch field.number {
            case 1: control.ihave.append(try self.decodeIHave(inner))
            case 2: control.iwant.append(RPC.MessageIDList(messageIDs: try self.decodeIDs(inner, field: 1)))
            case 3: control.graft.append(RPC.Graft(topic: try self.decodeTopicOnly(inner)))
            case 4: control.prune.append(try self.decodePrune(inner))
            default: control.idontwant.append(RPC.MessageIDList(messageIDs: try self.decodeIDs(inner, field: 1)))
            }
        }
        return control
    }

    private mutating func countEntry(at field: ProtobufReader.Field) throws(RPCDecodingError) {
        self.controlEntries += 1
        try self.check(self.controlEntries <= self.limits.maxControlEntries, at: field, "control entries")
    }

    private mutating func readID(
        _ reader: inout ProtobufReader,
        _ field: ProtobufReader.Field
    ) throws(RPCDecodingError) -> [UInt8] {
        self.messageIDs += 1
        try self.check(self.messageIDs <= self.limits.maxMessageIDs, at: field, "message ids")
        let id = try reader.readBytes(field, "message id")
        guard id.count <= self.limits.maxMessageIDLength else {
            throw RPCDecodingError(
                .limitExceeded,
                at: field.offset,
                "message id of \(id.count) bytes, at most \(self.limits.maxMessageIDLength) allowed"
            )
        }
        return id
    }

    private mutating func decodeIHave(_ region: Range<Int>) throws(RPCDecodingError) -> RPC.IHave {
        var reader = ProtobufReader(self.bytes, region: region)
        var ihave = RPC.IHave(topic: "", messageIDs: [])
        while !reader.isAtEnd {
            let field = try reader.readField()
            switch field.number {
            case 1: ihave.topic = try reader.readString(field, "ihave topic")
            case 2: ihave.messageIDs.append(try self.readID(&reader, field))
            default: try reader.skip(field)
            }
        }
        return ihave
    }

    private mutating func decodeIDs(_ region: Range<Int>, field number: UInt64) throws(RPCDecodingError) -> [[UInt8]] {
        var reader = ProtobufReader(self.bytes, region: region)
        var ids: [[UInt8]] = []
        while !reader.isAtEnd {
            let field = try reader.readField()
            if field.number == number {
                ids.append(try self.readID(&reader, field))
            } else {
                try reader.skip(field)
            }
        }
        return ids
    }

    private func decodeTopicOnly(_ region: Range<Int>) throws(RPCDecodingError) -> String {
        var reader = ProtobufReader(self.bytes, region: region)
        var topic = ""
        while !reader.isAtEnd {
            let field = try reader.readField()
            if field.number == 1 {
                topic = try reader.readString(field, "graft topic")
            } else {
                try reader.skip(field)
            }
        }
        return topic
    }

    private mutating func decodePrune(_ region: Range<Int>) throws(RPCDecodingError) -> RPC.Prune {
        var reader = ProtobufReader(self.bytes, region: region)
        var prune = RPC.Prune(topic: "", backoff: 0)
        while !reader.isAtEnd {
            let field = try reader.readField()
            switch field.number {
            case 1: prune.topic = try reader.readString(field, "prune topic")
            case 2:
                let inner = try reader.readRegion(field, "prune peer")
                try self.countEntry(at: field)
                prune.peers.append(try self.decodePeerInfo(inner))
            case 3: prune.backoff = try reader.readUInt64(field, "prune backoff")
            default: try reader.skip(field)
            }
        }
        return prune
    }

    private func decodePeerInfo(_ region: Range<Int>) throws(RPCDecodingError) -> RPC.PeerInfo {
        var reader = ProtobufReader(self.bytes, region: region)
        var info = RPC.PeerInfo(peerID: [], signedPeerRecord: [])
        while !reader.isAtEnd {
            let field = try reader.readField()
            switch field.number {
            case 1: info.peerID = try reader.readBytes(field, "peer info id")
            case 2: info.signedPeerRecord = try reader.readBytes(field, "signed peer record")
            default: try reader.skip(field)
            }
        }
        return info
    }
}

/// The shape check nim-libp2p applies to a message's `from` (`PeerId.init` → multihash validation).
///
/// Stricter than nim in one way: only the two multihashes libp2p peer ids use are accepted,
/// identity (`00`, inlined public keys up to 42 bytes in practice) and SHA-256 (`12 20`). We never
/// need the peer id itself: the router does not verify signatures.
private enum PeerIDShape {
    static func isValid(_ bytes: [UInt8]) -> Bool {
        var reader = ProtobufReader(bytes, region: 0..<bytes.count)
        guard let code = try? reader.readVarint("multihash code"),
            let length = try? reader.readVarint("multihash length")
        else { return false }
        let remaining = UInt64(bytes.count - reader.offset)
        switch code {
        case 0x00: return length == remaining && length > 0
        case 0x12: return length == 32 && remaining == 32
        default: return false
        }
    }
}
