internal import Foundation
internal import TOMLKit

/// A TOML config file's top-level keys and values (nwaku's config format: its flag names as keys).
package struct ConfigFile: Sendable {
    /// Where it was read from, for errors.
    package let path: String
    /// Key and value, in the file's key order as TOMLKit reports it (sorted).
    package let entries: [(key: String, value: ConfigValue)]

    /// Reads and parses the file at `path`.
    ///
    /// - Throws: ``ConfigFileError/unreadable(path:reason:)`` or
    ///   ``ConfigFileError/invalidTOML(path:line:column:reason:)``.
    package init(path: String) throws(ConfigFileError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .unreadable(path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw .unreadable(path: path, reason: "it is a directory") }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw .unreadable(path: path, reason: "permission denied")
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(path: path, reason: "not UTF-8 text")
        }
        try self.init(path: path, text: text)
    }

    /// Parses `text` as the file at `path`.
    package init(path: String, text: String) throws(ConfigFileError) {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw .invalidTOML(
                path: path,
                line: error.source.begin.line,
                column: error.source.begin.column,
                reason: error.description
            )
        } catch {
            throw .invalidTOML(path: path, line: 0, column: 0, reason: String(describing: error))
        }
        self.path = path
        self.entries = table.keys.compactMap { key in table[key].map { (key, Self.value($0)) } }
    }

    private static func value(_ toml: any TOMLValueConvertible) -> ConfigValue {
        switch toml.type {
        case .string: .string(toml.string ?? "")
        case .int: .integer(toml.int ?? 0)
        case .double: .number(toml.double ?? 0)
        case .bool: .boolean(toml.bool ?? false)
        case .array: .array((toml.array ?? TOMLArray()).map { Self.value($0) })
        case .table: .other(kind: "a table")
        case .date, .time, .dateTime: .other(kind: "a date or time")
        }
    }
}
