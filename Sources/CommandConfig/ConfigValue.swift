/// A value read from a config file, in the file format's own types (TOML's).
package enum ConfigValue: Sendable, Equatable {
    case string(String)
    case integer(Int)
    case number(Double)
    case boolean(Bool)
    case array([ConfigValue])
    /// A table, a date or a time: kept only to be named in an error.
    case other(kind: String)

    /// What the value is, for errors ("an integer").
    var kind: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .number: "a floating-point number"
        case .boolean: "a boolean"
        case .array: "an array"
        case .other(let kind): kind
        }
    }

    /// The value as a command-line word; nil for values no option takes.
    var word: String? {
        switch self {
        case .string(let text): text
        case .integer(let number): String(number)
        case .number(let number): String(number)
        case .boolean(let truth): String(truth)
        case .array, .other: nil
        }
    }
}
