extension RPC {
    /// The RPC's protobuf bytes, without the length prefix the stream adds.
    ///
    /// Field order and presence follow nim-libp2p's `rpc/protobuf.nim`, so the bytes equal nwaku's
    /// (PROTOCOLS.md §10.2): subscriptions first, `subscribe` always written, a message's `data`
    /// always written, `from`/`seqno`/`signature`/`key` only when set, an empty IWANT or IDONTWANT
    /// and an empty control part left out, a PRUNE's `backoff` always written.
    package func encoded() -> [UInt8] {
        ProtobufWriter.encode { self.write(to: &$0) }
    }

    private func write(to writer: inout ProtobufWriter) {
        for subscription in self.subscriptions {
            writer.writeMessageField(1) { sub in
                sub.writeVarintField(1, subscription.subscribe ? 1 : 0)
                sub.writeStringField(2, subscription.topic)
            }
        }
        for message in self.messages {
            writer.writeMessageField(2) { message.write(to: &$0) }
        }
        if let control = self.control, !control.writesNothing {
            writer.writeMessageField(3) { control.write(to: &$0) }
        }
    }
}

extension RPC.Message {
    fileprivate func write(to writer: inout ProtobufWriter) {
        if let from = self.from { writer.writeBytesField(1, from) }
        writer.writeBytesField(2, self.data)
        if let seqno = self.seqno { writer.writeBytesField(3, seqno) }
        writer.writeStringField(4, self.topic)
        if let signature = self.signature { writer.writeBytesField(5, signature) }
        if let key = self.key { writer.writeBytesField(6, key) }
    }
}

extension RPC.Control {
    /// Whether every part is empty once the empty IWANT and IDONTWANT lists are left out.
    fileprivate var writesNothing: Bool {
        self.ihave.isEmpty && self.graft.isEmpty && self.prune.isEmpty
            && self.iwant.allSatisfy(\.messageIDs.isEmpty) && self.idontwant.allSatisfy(\.messageIDs.isEmpty)
    }

    fileprivate func write(to writer: inout ProtobufWriter) {
        for ihave in self.ihave {
            writer.writeMessageField(1) { entry in
                entry.writeStringField(1, ihave.topic)
                for id in ihave.messageIDs { entry.writeBytesField(2, id) }
            }
        }
        for iwant in self.iwant where !iwant.messageIDs.isEmpty {
            writer.writeMessageField(2) { entry in
                for id in iwant.messageIDs { entry.writeBytesField(1, id) }
            }
        }
        for graft in self.graft {
            writer.writeMessageField(3) { $0.writeStringField(1, graft.topic) }
        }
        for prune in self.prune {
            writer.writeMessageField(4) { entry in
                entry.writeStringField(1, prune.topic)
                for peer in prune.peers {
                    entry.writeMessageField(2) { info in
                        info.writeBytesField(1, peer.peerID)
                        info.writeBytesField(2, peer.signedPeerRecord)
                    }
                }
                entry.writeVarintField(3, prune.backoff)
            }
        }
        for idontwant in self.idontwant where !idontwant.messageIDs.isEmpty {
            writer.writeMessageField(5) { entry in
                for id in idontwant.messageIDs { entry.writeBytesField(1, id) }
            }
        }
    }
}
