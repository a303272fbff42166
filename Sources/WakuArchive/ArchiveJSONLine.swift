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
        let record: Record
        do {
            record = try JSONDecoder().decode(Record.self, from: Data(line.utf8))
        } catch let error as DecodingError {
            throw ArchiveError(.invalidLine, Self.reason(error))
        } catch {
            throw ArchiveError(.invalidLine, "not JSON: \(error)")
        }
        let message = WakuMessage(
            payload: try Self.base64(record.message.payload, "message.payload"),
            contentTopic: record.message.contentTopic,
            version: record.message.version ?? 0,
            timestamp: record.message.timestamp,
            meta: try record.message.meta.map { meta throws(ArchiveError) in try Self.base64(meta, "message.meta") }
                ?? [],
            ephemeral: record.message.ephemeral ?? false
        )
        guard message.meta.count <= MessageLimits.maxMetaLength else {
            throw ArchiveError(
                .invalidLine,
                "message.meta has \(message.meta.count) bytes, nwaku allows at most \(MessageLimits.maxMetaLength)"
            )
        }
        let archived = ArchivedMessage(pubsubTopic: record.pubsubTopic, message: message, source: .import)
        if let given = record.hash {
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

    private struct Record: Decodable {
        var pubsubTopic: String
        var message: Message
        var hash: String?
    }

    private struct Message: Decodable {
        var payload: String
        var contentTopic: String
        var version: UInt32?
        var timestamp: Int64
        var meta: String?
        var ephemeral: Bool?
    }

    private static func base64(_ text: String, _ field: String) throws(ArchiveError) -> [UInt8] {
        guard let data = Data(base64Encoded: text) else {
            throw ArchiveError(.invalidLine, "\(field) is not standard base64")
        }
        return [UInt8](data)
    }

    /// A one-line reason naming the field, instead of DecodingError's paragraph.
    private static func reason(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            ((keys + (last.map { [$0] } ?? [])).map(\.stringValue)).joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing \(path(context.codingPath, key))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(path(context.codingPath)) has the wrong type: \(Self.expected(path(context.codingPath)))"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "not a JSON object" }
            return "\(path(context.codingPath)) is invalid: \(Self.expected(path(context.codingPath)))"
        @unknown default:
            return "\(error)"
        }
    }

    private static func expected(_ field: String) -> String {
        switch field {
        case "message.version": "expected an integer from 0 to 4294967295"
        case "message.timestamp": "expected an integer number of nanoseconds (int64)"
        case "message.ephemeral": "expected true or false"
        case "message": "expected an object"
        default: "expected a string"
        }
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
