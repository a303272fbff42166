internal import Foundation
internal import WakuCore

/// The archive's JSON-lines interchange format, one message per line:
///
/// ```
/// {"pubsubTopic":T,"message":{"payload":BASE64,"contentTopic":C,"version":N,"timestamp":NS,
///  "meta":BASE64,"ephemeral":BOOL},"hash":HEX}
/// ```
///
/// `meta`, `version`, `ephemeral` and `hash` may be left out when reading; a given hash must match
/// the one computed from the other fields. Writing always includes `version`, `meta` and `hash`
/// (stored messages are never ephemeral, so `ephemeral` is left out). Base64 is the standard
/// alphabet with padding.
package enum ArchiveJSONLine {
    /// Parses one line into a message to archive with source `import`.
    ///
    /// - Throws: ``ArchiveError/Code/invalidLine`` with a short reason (bad JSON, a missing or
    ///   mistyped field, bad base64, meta over 64 bytes, a hash that does not match).
    package static func decode(_ line: some StringProtocol) throws(ArchiveError) -> ArchivedMessage {
        // JSONSerialization rather than JSONDecoder: on Linux, JSONDecoder reports a number that
        // does not fit its field (1.5 for the timestamp) as "not valid JSON" without naming it.
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) else {
            throw ArchiveError(.invalidLine, "not JSON")
        }
        guard let record = object as? [String: Any] else { throw ArchiveError(.invalidLine, "not a JSON object") }
        guard let fields = record["message"] as? [String: Any] else {
            throw ArchiveError(.invalidLine, record["message"] == nil ? "missing message" : "message is not an object")
        }
        let message = WakuMessage(
            payload: try Self.base64(Self.required(fields, "payload", "message.", Self.string), "message.payload"),
            contentTopic: try Self.required(fields, "contentTopic", "message.", Self.string),
            version: try Self.optional(fields, "version", "message.", Self.uint32) ?? 0,
            timestamp: try Self.required(fields, "timestamp", "message.", Self.int64),
            meta: try Self.optional(fields, "meta", "message.", Self.string).map { meta throws(ArchiveError) in
                try Self.base64(meta, "message.meta")
            } ?? [],
            ephemeral: try Self.optional(fields, "ephemeral", "message.", Self.bool) ?? false
        )
        guard message.meta.count <= MessageLimits.maxMetaLength else {
            throw ArchiveError(
                .invalidLine,
                "message.meta has \(message.meta.count) bytes, nwaku allows at most \(MessageLimits.maxMetaLength)"
            )
        }
        let pubsubTopic = try Self.required(record, "pubsubTopic", "", Self.string)
        let archived = ArchivedMessage(pubsubTopic: pubsubTopic, message: message, source: .import)
        if let given = try Self.optional(record, "hash", "", Self.string) {
            let hash: MessageHash
            do {
                hash = try MessageHash(hex: given.hasPrefix("0x") ? String(given.dropFirst(2)) : given)
            } catch {
                throw ArchiveError(.invalidLine, "hash is not 64 hex digits")
            }
            guard hash == archived.hash else {
                throw ArchiveError(
                    .invalidLine,
                    "hash \(hash.hex) does not match the message, which hashes to \(archived.hash.hex)"
                )
            }
        }
        return archived
    }

    /// One line (without the newline) for a stored message, keys in the documented order.
    package static func encode(_ stored: StoredMessage) -> String {
        let archived = stored.archived
        let message = archived.message
        var line = "{\"pubsubTopic\":"
        Self.appendString(archived.pubsubTopic, to: &line)
        line += ",\"message\":{\"payload\":\""
        line += Data(message.payload).base64EncodedString()
        line += "\",\"contentTopic\":"
        Self.appendString(message.contentTopic, to: &line)
        line += ",\"version\":\(message.version),\"timestamp\":\(message.timestamp),\"meta\":\""
        line += Data(message.meta).base64EncodedString()
        line += "\"},\"hash\":\"\(archived.hash.hex)\"}"
        return line
    }

    /// How to read one kind of JSON value, and how to name it when the value is not one.
    private struct Kind<T>: Sendable {
        var expected: String
        var convert: @Sendable (Any) -> T?
    }

    private static let string = Kind<String>(expected: "a string") { $0 as? String }
    private static let int64 = Kind<Int64>(expected: "an integer number of nanoseconds (int64)") {
        isBoolean($0) ? nil : $0 as? Int64
    }
    private static let uint32 = Kind<UInt32>(expected: "an integer from 0 to 4294967295") {
        isBoolean($0) ? nil : $0 as? UInt32
    }
    private static let bool = Kind<Bool>(expected: "true or false") { isBoolean($0) ? $0 as? Bool : nil }

    /// A field that must be present (and not null).
    private static func required<T>(
        _ object: [String: Any],
        _ key: String,
        _ prefix: String,
        _ kind: Kind<T>
    ) throws(ArchiveError) -> T {
        guard let value = try Self.optional(object, key, prefix, kind) else {
            throw ArchiveError(.invalidLine, "missing \(prefix)\(key)")
        }
        return value
    }

    /// A field that may be absent or null.
    private static func optional<T>(
        _ object: [String: Any],
        _ key: String,
        _ prefix: String,
        _ kind: Kind<T>
    ) throws(ArchiveError) -> T? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let converted = kind.convert(value) else {
            throw ArchiveError(.invalidLine, "\(prefix)\(key) is not \(kind.expected)")
        }
        return converted
    }

    /// Whether JSONSerialization made `value` from `true` or `false` (it bridges to numbers too).
    private static func isBoolean(_ value: Any) -> Bool {
        guard let number = value as? NSNumber else { return false }
        return String(cString: number.objCType) == "c"
    }

    private static func base64(_ text: String, _ field: String) throws(ArchiveError) -> [UInt8] {
        guard let data = Data(base64Encoded: text) else {
            throw ArchiveError(.invalidLine, "\(field) is not standard base64")
        }
        return [UInt8](data)
    }

    private static func appendString(_ text: String, to line: inout String) {
        line += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": line += "\\\""
            case "\\": line += "\\\\"
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case _ where scalar.value < 0x20:
                line +=
                    "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: line.unicodeScalars.append(scalar)
            }
        }
        line += "\""
    }
}
