/// The one rule every message passes before it enters the archive, whatever brought it: relay,
/// sync transfer, a Store fetch, Store Resume, an import, an audit repair.
///
/// A message is accepted only if it is not ephemeral, its encoding is at most `maxMessageSize`
/// bytes (nwaku's `--max-msg-size`), its timestamp is never more than ``futureTolerance`` ahead of
/// our clock (nwaku's archive bound, `MaxMessageTimestampVariance`) and lies inside the span the
/// path asked for, its topics lie inside the scope asked for, and its hash, computed by us, equals
/// the hash the sender claimed (when it claimed one). Pure: time and the asked-for span and scope
/// are arguments; every caller says what it asked for.
package struct MessageAcceptance: Sendable {
    /// How far ahead of our clock a timestamp may be: 20 s, as nwaku's archive allows.
    package static let futureTolerance: Int64 = 20_000_000_000

    /// Why a message was refused.
    package enum Refusal: String, Sendable, CaseIterable {
        case ephemeral
        /// Encoded larger than `maxMessageSize`.
        case oversized
        /// Stamped more than ``futureTolerance`` ahead of our clock.
        case future = "future_timestamp"
        /// Outside the time span the path asked for.
        case outsideSpan = "outside_window"
        /// Pubsub or content topic outside the scope asked for.
        case outsideScope = "outside_scope"
        /// The hash we computed differs from the one the sender gave.
        case hashMismatch = "hash_mismatch"
    }

    /// The topics a path asked for; an empty set means any topic.
    package struct Scope: Equatable, Sendable {
        package var pubsubTopics: Set<String>
        package var contentTopics: Set<String>

        package init(pubsubTopics: Set<String> = [], contentTopics: Set<String> = []) {
            self.pubsubTopics = pubsubTopics
            self.contentTopics = contentTopics
        }

        /// Any topic.
        package static let any = Scope()

        package func contains(pubsubTopic: String, contentTopic: String) -> Bool {
            (self.pubsubTopics.isEmpty || self.pubsubTopics.contains(pubsubTopic))
                && (self.contentTopics.isEmpty || self.contentTopics.contains(contentTopic))
        }
    }

    /// Largest encoded message accepted (nwaku's `--max-msg-size`, default 150 KiB).
    package var maxMessageSize: Int

    package init(maxMessageSize: Int = MessageLimits.maxMessageSize) {
        self.maxMessageSize = maxMessageSize
    }

    /// The verdict on `message` on `pubsubTopic`.
    ///
    /// - Parameters:
    ///   - message: the decoded message.
    ///   - pubsubTopic: the topic it came on.
    ///   - hash: the hash we computed (``WakuMessage/hash(pubsubTopic:)``).
    ///   - claimedHash: the hash the sender named, if any (a Store entry's key, an import line's).
    ///   - span: the inclusive time span the path asked for; it is cut at `now` + ``futureTolerance``.
    ///   - scope: the topics the path asked for.
    ///   - now: our clock, nanoseconds.
    /// - Returns: nil when the message is accepted, else why not.
    package func refusal(
        of message: WakuMessage,
        pubsubTopic: String,
        hash: MessageHash,
        claimedHash: MessageHash? = nil,
        span: ClosedRange<Int64>,
        scope: Scope,
        now: Int64
    ) -> Refusal? {
        if message.ephemeral { return .ephemeral }
        if message.encodedSize > self.maxMessageSize { return .oversized }
        if message.timestamp > now.addingSaturated(Self.futureTolerance) { return .future }
        if !span.contains(message.timestamp) { return .outsideSpan }
        if !scope.contains(pubsubTopic: pubsubTopic, contentTopic: message.contentTopic) { return .outsideScope }
        if let claimedHash, claimedHash != hash { return .hashMismatch }
        return nil
    }
}

extension Int64 {
    /// `self + other`, held at the ends of the range instead of overflowing.
    package func addingSaturated(_ other: Int64) -> Int64 {
        let (sum, overflow) = self.addingReportingOverflow(other)
        guard overflow else { return sum }
        return other > 0 ? .max : .min
    }

    /// `self - other`, held at the ends of the range instead of overflowing.
    package func subtractingSaturated(_ other: Int64) -> Int64 {
        let (result, overflow) = self.subtractingReportingOverflow(other)
        guard overflow else { return result }
        return other > 0 ? .min : .max
    }
}
