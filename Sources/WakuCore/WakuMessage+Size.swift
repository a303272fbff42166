extension WakuMessage {
    /// The length of ``serialized()`` (nwaku's encoding, every field written), computed without
    /// encoding: the size the acceptance rule compares with `--max-msg-size`.
    package var encodedSize: Int {
        func field(tag: Int, length: Int) -> Int { tag + Varint.size(of: UInt64(length)) + length }
        let zigzag = UInt64(bitPattern: (self.timestamp << 1) ^ (self.timestamp >> 63))
        return field(tag: 1, length: self.payload.count)
            + field(tag: 1, length: self.contentTopic.utf8.count)
            + 1 + Varint.size(of: UInt64(self.version))
            + 1 + Varint.size(of: zigzag)
            + field(tag: 1, length: self.meta.count)
            + field(tag: 2, length: self.rateLimitProof.count)
            + 2 + 1
    }
}
