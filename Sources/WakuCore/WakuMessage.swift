/// A Waku message (14/WAKU2-MESSAGE) with every field of PROTOCOLS.md §1.1.
///
/// Field values are kept exactly as received; `version`, `rateLimitProof` and `ephemeral` take no
/// part in the hash. Ephemeral messages are never stored or synced.
package struct WakuMessage: Hashable, Sendable {
    package var payload: [UInt8]
    package var contentTopic: String
    package var version: UInt32
    /// Nanoseconds since the Unix epoch; 0 when the sender left it out.
    package var timestamp: Int64
    package var meta: [UInt8]
    package var rateLimitProof: [UInt8]
    package var ephemeral: Bool

    package init(
        payload: [UInt8],
        contentTopic: String,
        version: UInt32 = 0,
        timestamp: Int64 = 0,
        meta: [UInt8] = [],
        rateLimitProof: [UInt8] = [],
        ephemeral: Bool = false
    ) {
        self.payload = payload
        self.contentTopic = contentTopic
        self.version = version
        self.timestamp = timestamp
        self.meta = meta
        self.rateLimitProof = rateLimitProof
        self.ephemeral = ephemeral
    }
}

/// Size limits nwaku applies to messages, which we apply on every decode (PROTOCOLS.md §1.1).
package enum MessageLimits {
    /// nwaku's default `--max-msg-size` of `150KiB`; also the transfer frame limit.
    package static let maxMessageSize = 153_600
    /// nwaku rejects a message whose meta attribute is longer than this.
    package static let maxMetaLength = 64
}
