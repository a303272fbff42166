/// A message Waku Relay accepted from a peer: it passed validation, went on to our mesh and was
/// handed to the archive (which still applies its own rule; see ``RejectedMessages``).
package struct RelayedMessage: Equatable, Sendable {
    /// The peer whose copy was validated.
    package var peerID: String
    package var pubsubTopic: String
    /// The encoded WakuMessage's size.
    package var bytes: Int
    /// Mesh peers it was forwarded to.
    package var forwardedTo: Int
    package var ephemeral: Bool
    /// Its relay message id: the SHA-256 of the encoded WakuMessage (what the router dedups on;
    /// `wakusync bench relay` matches deliveries to publishes by it).
    package var messageID: [UInt8]
    /// Its Waku message hash in hex (what the archive and Store know it by).
    package var hash: String

    package init(
        peerID: String,
        pubsubTopic: String,
        bytes: Int,
        forwardedTo: Int,
        ephemeral: Bool,
        messageID: [UInt8] = [],
        hash: String = ""
    ) {
        self.peerID = peerID
        self.pubsubTopic = pubsubTopic
        self.bytes = bytes
        self.forwardedTo = forwardedTo
        self.ephemeral = ephemeral
        self.messageID = messageID
        self.hash = hash
    }
}
