internal import Foundation
internal import WakuCore
internal import WakuSync

/// Reads item sets for `inspect session`: one JSON object per line,
/// `{"timestamp":N,"hash":HEX,"pubsubTopic":T,"contentTopic":C}`.
enum ItemListFile {
    private struct Line: Decodable {
        var timestamp: Int64
        var hash: String
        var pubsubTopic: String
        var contentTopic: String
    }

    /// An index holding every item of the file; bad lines are collected with their numbers.
    static func load(_ path: String) throws -> SyncIndex {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure("cannot read \(path)")
        }
        let index = SyncIndex()
        var problems: [String] = []
        let decoder = JSONDecoder()
        for (number, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            guard !line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) else { continue }
            do {
                let item = try decoder.decode(Line.self, from: Data(line))
                let id = SyncID(timestamp: item.timestamp, hash: try MessageHash(hex: item.hash))
                index.insert(id, pubsubTopic: item.pubsubTopic, contentTopic: item.contentTopic)
            } catch let error as CodecError {
                problems.append("\(path):\(number + 1): hash: \(error.detail)")
            } catch {
                problems.append("\(path):\(number + 1): not an item line (\(Self.reason(error)))")
            }
        }
        guard problems.isEmpty else {
            throw CommandFailure(problems.prefix(20).joined(separator: "\n") + (problems.count > 20 ? "\n…" : ""))
        }
        return index
    }

    private static func reason(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing \(key.stringValue)"
        case DecodingError.typeMismatch(_, let context):
            "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.valueNotFound(_, let context):
            "null at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        default: "invalid JSON"
        }
    }
}
