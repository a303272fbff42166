/// A message id as a dictionary or set key, hashed in one pass over its bytes: an array's own
/// hashing feeds the hasher one byte at a time, which was the router's largest single cost per
/// message (PERFORMANCE.md §7.3).
package struct MessageKey: Hashable, Sendable {
    package let bytes: [UInt8]

    package init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    package func hash(into hasher: inout Hasher) {
        self.bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
