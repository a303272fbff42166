internal import WakuCore

extension MessageHash {
    /// `self ^= other`, compiled into this module: WakuCore's operators are not inlinable across
    /// modules, and every range query XORs at each step (PERFORMANCE.md §5).
    @inline(__always)
    mutating func formXor(_ other: MessageHash) {
        self.w0 ^= other.w0
        self.w1 ^= other.w1
        self.w2 ^= other.w2
        self.w3 ^= other.w3
    }

    /// `self ^ other`, compiled into this module.
    @inline(__always)
    func xor(_ other: MessageHash) -> MessageHash {
        MessageHash(w0: self.w0 ^ other.w0, w1: self.w1 ^ other.w1, w2: self.w2 ^ other.w2, w3: self.w3 ^ other.w3)
    }

    /// `self == other`, compiled into this module.
    @inline(__always)
    func isSame(as other: MessageHash) -> Bool {
        self.w0 == other.w0 && self.w1 == other.w1 && self.w2 == other.w2 && self.w3 == other.w3
    }
}
