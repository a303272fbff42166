/// A peer as a driver whose identities are byte strings with a text form (libp2p peer IDs) hands
/// it to the router.
///
/// The router is generic over its peer type, and generic code called from another module runs
/// unspecialized: every dictionary and set operation on peers then looks up type metadata and
/// calls through witness tables. The router's entry points are compiled for this type ahead of
/// time (`@_specialize(exported: true)`), so such a driver runs specialized code (PERFORMANCE.md
/// §7.3). Equality, hashing and order use the bytes only; the text is carried along for reports.
package struct PeerKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    package let bytes: [UInt8]
    package let description: String

    package init(bytes: [UInt8], description: String) {
        self.bytes = bytes
        self.description = description
    }

    package static func == (lhs: PeerKey, rhs: PeerKey) -> Bool { lhs.bytes == rhs.bytes }

    package func hash(into hasher: inout Hasher) {
        self.bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    package static func < (lhs: PeerKey, rhs: PeerKey) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }
}
