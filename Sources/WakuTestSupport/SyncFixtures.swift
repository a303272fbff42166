internal import Foundation
package import WakuCore
package import WakuSync

/// Builders shared by the sync tests.
package enum SyncFixtures {
    /// The payload a `sync_payloads.json` range list describes (keys `lower_time`,
    /// `lower_hash_hex`, `upper_time`, `upper_hash_hex`, `type`, `fingerprint_hex`, `items`,
    /// `reconciled`), with the given topic lists.
    package static func payload(
        pubsubTopics: [String],
        contentTopics: [String],
        ranges: [[String: Any]]
    ) throws -> RangesData {
        RangesData(
            pubsubTopics: pubsubTopics,
            contentTopics: contentTopics,
            ranges: try ranges.map(Self.range)
        )
    }

    private static func range(_ json: [String: Any]) throws -> SyncRange {
        let lower = try Self.syncID(json["lower_time"], json["lower_hash_hex"])
        let upper = try Self.syncID(json["upper_time"], json["upper_hash_hex"])
        switch json["type"] as? String {
        case "skip":
            return SyncRange(lower: lower, upper: upper, kind: .skip)
        case "fingerprint":
            return SyncRange(
                lower: lower,
                upper: upper,
                kind: .fingerprint(try MessageHash(hex: Self.string(json["fingerprint_hex"])))
            )
        case "itemset":
            let items = try (json["items"] as? [[String: Any]] ?? []).map {
                try Self.syncID($0["time"], $0["hash_hex"])
            }
            let set = ItemSet(items: items, isReconciled: json["reconciled"] as? Bool ?? false)
            return SyncRange(lower: lower, upper: upper, kind: .itemSet(set))
        default:
            throw CocoaError(.coderInvalidValue)
        }
    }

    private static func syncID(_ time: Any?, _ hash: Any?) throws -> SyncID {
        guard let number = time as? NSNumber else { throw CocoaError(.coderValueNotFound) }
        return SyncID(timestamp: number.int64Value, hash: try MessageHash(hex: Self.string(hash)))
    }

    private static func string(_ value: Any?) throws -> String {
        guard let text = value as? String else { throw CocoaError(.coderValueNotFound) }
        return text
    }

    /// A deterministic hash from a number, for readable tests.
    package static func hash(_ seed: UInt64) -> MessageHash {
        var generator = SeededGenerator(seed: seed)
        return generator.nextHash()
    }
}

/// The seeded generator every test uses, so every run sees the same data.
package typealias SeededGenerator = SeededRandom
