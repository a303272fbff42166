/// A small seedable random number generator (SplitMix64) for the router's peer choices.
///
/// The router shuffles candidates before sorting them by score, as nim-libp2p does, so equal
/// scores do not always favour the same peers. Tests seed it to replay a run exactly; the driver
/// seeds it from the system generator.
package struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose sequence is fixed by `seed`.
    package init(seed: UInt64) {
        self.state = seed
    }

    /// The next 64 random bits.
    package mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
