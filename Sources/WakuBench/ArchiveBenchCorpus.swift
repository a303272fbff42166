internal import WakuArchive
internal import WakuCore

/// The generated messages of `bench archive`: deterministic (seeded), so runs compare.
struct ArchiveBenchCorpus {
    static let base: Int64 = 1_700_000_000_000_000_000
    static let window: Int64 = 3_600_000_000_000
    static let pubsubTopics = (0..<8).map { "/waku/2/rs/1/\($0)" }
    static let contentTopics = (0..<10).map { "/bench/1/topic-\($0)/proto" }

    let count: Int
    private(set) var hashes: [MessageHash] = []
    private var random = SeededRandom(seed: 0x5741_4b55)

    init(count: Int) {
        self.count = count
        self.hashes.reserveCapacity(count)
    }

    /// Message `index`'s timestamp: spread evenly over one hour at millisecond resolution.
    func timestamp(_ index: Int) -> Int64 {
        Self.base + (Self.window / Int64(self.count)) * Int64(index) / 1_000_000 * 1_000_000
    }

    static func pubsubTopic(_ index: Int) -> String { Self.pubsubTopics[index % 8] }
    static func contentTopic(_ index: Int) -> String { Self.contentTopics[index % 10] }

    /// Messages `indices` of 1 KiB random payload each; their hashes are kept, in order.
    mutating func batch(_ indices: Range<Int>) -> [ArchivedMessage] {
        indices.map { index in
            var payload = [UInt8](repeating: 0, count: 1024)
            payload.withUnsafeMutableBytes { bytes in
                for offset in stride(from: 0, to: bytes.count, by: 8) {
                    bytes.storeBytes(of: self.random.next(), toByteOffset: offset, as: UInt64.self)
                }
            }
            let message = WakuMessage(
                payload: payload,
                contentTopic: Self.contentTopic(index),
                timestamp: self.timestamp(index)
            )
            let archived = ArchivedMessage(pubsubTopic: Self.pubsubTopic(index), message: message, source: .sync)
            self.hashes.append(archived.hash)
            return archived
        }
    }
}
