/// SplitMix64: a small, fast, seedable generator.
///
/// Decisions that need randomness (peer choice, generated benchmark data, test data) take a
/// generator as an argument; passing this one makes them repeatable.
package struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    package init(seed: UInt64) {
        self.state = seed
    }

    package mutating func next() -> UInt64 {
        self.state &+= 0x9e37_79b9_7f4a_7c15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// A uniformly random 32-byte value.
    package mutating func nextHash() -> MessageHash {
        MessageHash(w0: self.next(), w1: self.next(), w2: self.next(), w3: self.next())
    }
}
