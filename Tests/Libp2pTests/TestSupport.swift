import Testing
import NIOCore
import WakuTestSupport

@testable import Libp2p

/// Hex helpers and the libp2p vector file.
enum Hex {
    static func bytes(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            out.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return out
    }

    static func string(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }
}

enum LibP2PVectors {
    static func load() throws -> [String: Any] { try Vectors.json("libp2p.json") }

    static func list(_ key: String) throws -> [[String: Any]] {
        try #require(try load()[key] as? [[String: Any]])
    }
}

extension ByteBuffer {
    init(hex: String) { self.init(bytes: Hex.bytes(hex)) }
}
