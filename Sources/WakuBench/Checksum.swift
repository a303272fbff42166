internal import NIOCore

/// Fletcher-style checksum of the transport bench's stream: catches lost, duplicated and
/// reordered bytes at memory speed.
struct Checksum {
    private var first: UInt64 = 0
    private var second: UInt64 = 0

    /// Both sums, as the sink reports them.
    var value: String { "\(self.first)-\(self.second)" }

    mutating func add(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { bytes in
            for byte in bytes {
                self.first &+= UInt64(byte)
                self.second &+= self.first
            }
        }
    }
}
