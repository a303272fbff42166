internal import Foundation
internal import WakuCore
internal import WakuSync

/// The JSON form of a reconciliation payload used by `inspect payload`:
/// `{"pubsubTopics":[..],"contentTopics":[..],"ranges":[{"lower":{"time":N,"hash":HEX},
/// "upper":{..},"type":"skip|fingerprint|itemset","fingerprint":HEX,"items":[..],"reconciled":BOOL}]}`.
struct PayloadJSON: Codable {
    struct Bound: Codable {
        var time: Int64
        var hash: String
    }

    struct Range: Codable {
        var lower: Bound
        var upper: Bound
        var type: String
        var fingerprint: String?
        var items: [Bound]?
        var reconciled: Bool?
    }

    var pubsubTopics: [String]
    var contentTopics: [String]
    var ranges: [Range]

    init(_ payload: RangesData) {
        self.pubsubTopics = payload.pubsubTopics
        self.contentTopics = payload.contentTopics
        self.ranges = payload.ranges.map { range in
            var json = Range(lower: Bound(range.lower), upper: Bound(range.upper), type: range.kind.name)
            switch range.kind {
            case .skip: break
            case .fingerprint(let fingerprint): json.fingerprint = fingerprint.hex
            case .itemSet(let set):
                json.items = set.items.map(Bound.init)
                json.reconciled = set.isReconciled
            }
            return json
        }
    }

    /// The payload this JSON describes.
    func payload() throws -> RangesData {
        RangesData(
            pubsubTopics: self.pubsubTopics,
            contentTopics: self.contentTopics,
            ranges: try self.ranges.enumerated().map { index, range in
                let kind: SyncRange.Kind
                switch range.type {
                case "skip":
                    kind = .skip
                case "fingerprint":
                    guard let fingerprint = range.fingerprint else {
                        throw PayloadJSONError("range \(index): fingerprint missing")
                    }
                    kind = .fingerprint(try Self.hash(fingerprint, "range \(index) fingerprint"))
                case "itemset":
                    let items = try (range.items ?? []).map { try $0.syncID() }
                    kind = .itemSet(ItemSet(items: items, isReconciled: range.reconciled ?? false))
                default:
                    throw PayloadJSONError("range \(index): type '\(range.type)' is not skip, fingerprint or itemset")
                }
                return SyncRange(lower: try range.lower.syncID(), upper: try range.upper.syncID(), kind: kind)
            }
        )
    }

    static func hash(_ text: String, _ what: String) throws -> MessageHash {
        do {
            return try MessageHash(hex: text)
        } catch {
            throw PayloadJSONError("\(what): \(error.detail)")
        }
    }
}

extension PayloadJSON.Bound {
    init(_ id: SyncID) {
        self.init(time: id.timestamp, hash: id.hash.hex)
    }

    func syncID() throws -> SyncID {
        SyncID(timestamp: self.time, hash: try PayloadJSON.hash(self.hash, "bound at \(self.time)"))
    }
}

/// A JSON payload that does not describe a valid payload.
struct PayloadJSONError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}

/// Writes JSON the way every `--json` output of this tool does: keys in declaration order (the
/// order the README documents), nil values left out, no escaped slashes (topics are full of them).
///
/// Foundation's encoder keeps keys in a dictionary, so their order is random; this writer walks
/// the value with `Mirror` instead. It handles what our reports are made of: structs, arrays,
/// string-keyed dictionaries (sorted), key-value pairs (in their order), strings, numbers,
/// booleans and optionals.
enum JSONOutput {
    static func string(_ value: Any) throws -> String {
        var out = ""
        try Self.write(value, to: &out)
        return out
    }

    private static func write(_ value: Any, to out: inout String) throws {
        switch value {
        case let text as String:
            out += try Self.scalar(text)
        case let flag as Bool:
            out += flag ? "true" : "false"
        case let number as Int:
            out += String(number)
        case let number as Int64:
            out += String(number)
        case let number as UInt64:
            out += String(number)
        case let number as UInt32:
            out += String(number)
        case let number as UInt16:
            out += String(number)
        case let number as Double:
            out += number.isFinite ? try Self.scalar(number) : "null"
        case let dictionary as [String: Any]:
            out += "{"
            for (index, key) in dictionary.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                out += try Self.scalar(key) + ":"
                try Self.write(dictionary[key] as Any, to: &out)
            }
            out += "}"
        case let pairs as KeyValuePairs<String, Any>:
            out += "{"
            for (index, pair) in pairs.enumerated() {
                if index > 0 { out += "," }
                out += try Self.scalar(pair.key) + ":"
                try Self.write(pair.value, to: &out)
            }
            out += "}"
        default:
            let mirror = Mirror(reflecting: value)
            switch mirror.displayStyle {
            case .optional:
                if let wrapped = mirror.children.first?.value {
                    try Self.write(wrapped, to: &out)
                } else {
                    out += "null"
                }
            case .collection, .set:
                out += "["
                for (index, child) in mirror.children.enumerated() {
                    if index > 0 { out += "," }
                    try Self.write(child.value, to: &out)
                }
                out += "]"
            default:
                out += "{"
                var first = true
                for child in mirror.children {
                    guard let label = child.label else { continue }
                    let inner = Mirror(reflecting: child.value)
                    if inner.displayStyle == .optional && inner.children.isEmpty { continue }
                    if !first { out += "," }
                    first = false
                    out += try Self.scalar(label) + ":"
                    try Self.write(child.value, to: &out)
                }
                out += "}"
            }
        }
    }

    /// One JSON scalar through Foundation, for exact string escaping and number formatting.
    private static func scalar(_ value: Any) throws -> String {
        let data = try JSONSerialization.data(
            withJSONObject: [value],
            options: [.withoutEscapingSlashes, .fragmentsAllowed]
        )
        return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
    }
}
