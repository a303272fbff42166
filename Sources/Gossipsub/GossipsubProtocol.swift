/// The protocol ids a gossipsub stream can be negotiated with (PROTOCOLS.md §10.1).
///
/// nwaku accepts the Waku id and the three meshsub ids; it advertises only the Waku id. A peer on
/// `/meshsub/1.0.0` or `/meshsub/1.1.0` gets no IDONTWANT, everyone else does (§10.4).
package enum GossipsubProtocol: String, Sendable, CaseIterable {
    /// `/vac/waku/relay/2.0.0`, gossipsub v1.2 behaviour under Waku's name.
    case wakuRelay = "/vac/waku/relay/2.0.0"
    /// `/meshsub/1.2.0`, gossipsub v1.1 plus IDONTWANT.
    case meshsub12 = "/meshsub/1.2.0"
    /// `/meshsub/1.1.0`, gossipsub v1.1.
    case meshsub11 = "/meshsub/1.1.0"
    /// `/meshsub/1.0.0`, gossipsub v1.0.
    case meshsub10 = "/meshsub/1.0.0"

    /// The ids we propose when we open our stream, in order (§10.1 "our choice").
    package static let dialOrder: [GossipsubProtocol] = [.wakuRelay, .meshsub12, .meshsub11]

    /// The protocol a negotiated id stands for, or nil for an id we do not speak.
    ///
    /// The Waku id is matched as a prefix, as nwaku's `protocolMatcher` does, so
    /// `/vac/waku/relay/2.0.0-anything` is the Waku protocol too.
    package init?(negotiated id: String) {
        if id.hasPrefix(Self.wakuRelay.rawValue) {
            self = .wakuRelay
        } else {
            self.init(rawValue: id)
        }
    }

    /// Whether the peer understands IDONTWANT (control field 5).
    package var supportsIDontWant: Bool { self == .wakuRelay || self == .meshsub12 }
}
