/// Why a config file could not be used. Descriptions name the file and the key, never a value: a
/// value may be a database URL with a password in it.
package enum ConfigFileError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case invalidTOML(path: String, line: Int, column: Int, reason: String)
    case unknownKey(path: String, key: String, command: String)
    case notAllowed(path: String, key: String)
    case wrongType(path: String, key: String, expected: String, found: String)
    case givenTwice
    case helpUnavailable(reason: String)

    package var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "cannot read the config file \(path): \(reason)"
        case .invalidTOML(let path, let line, let column, let reason):
            "\(path):\(line):\(column): not valid TOML: \(reason)"
        case .unknownKey(let path, let key, let command):
            "\(path): unknown key '\(key)': no option --\(key) in `\(command)` or any other command"
        case .notAllowed(let path, let key):
            "\(path): '\(key)' cannot be set in a config file"
        case .wrongType(let path, let key, let expected, let found):
            "\(path): '\(key)' must be \(expected), not \(found)"
        case .givenTwice:
            "give --config-file once"
        case .helpUnavailable(let reason):
            "cannot read the command line's own definitions: \(reason)"
        }
    }
}
