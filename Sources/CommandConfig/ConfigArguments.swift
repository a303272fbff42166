/// `--config-file PATH`: a TOML file of options, turned into command-line words before the
/// command line is parsed, so the parser checks and converts every value as if it were typed.
///
/// Keys are the long option names without the dashes (nwaku's config files are TOML with its flag
/// names). The options a key may name come from the argument parser's own definitions (its help
/// dump), so a new option works in the file as soon as it exists as a flag. The rules:
/// - a key no command has an option for is an error naming the key and the file; a key that is an
///   option of another command only (`headless` of `run`, read by `sync`) is skipped, so that one
///   file serves every command;
/// - a flag takes a boolean (`true` adds the flag; `false` leaves it out, or adds `--no-KEY` where
///   the flag has that inversion);
/// - a repeatable option takes an array (or one value); any other option one value, whose TOML type
///   must match the option's: an integer where the option's default is an integer, a number where it
///   is a decimal, a string where it lists its values, otherwise a string or a number;
/// - a key also given on the command line is dropped from the file, whole: the command line replaces
///   the file's value, and for a repeatable option its whole list rather than adding to it.
package enum ConfigArguments {
    /// The option's spelling.
    package static let option = "--config-file"

    /// Keys that only make sense typed: they print and exit, or would read another file.
    static let reserved: Set<String> = [
        "config-file", "help", "version", "experimental-dump-help", "generate-completion-script",
    ]

    /// Inserts the config file's options after the command words of `arguments`.
    ///
    /// - Parameters:
    ///   - arguments: the command line without the program name.
    ///   - definitions: the root command's help dump; only read when a config file is given.
    /// - Returns: the arguments with the file's options inserted; `arguments` unchanged when no
    ///   `--config-file` is given, or the command it names does not take one (the parser then
    ///   reports it).
    /// - Throws: ``ConfigFileError``, naming the file and key.
    package static func expand(
        _ arguments: [String],
        definitions: () throws -> String
    ) throws(ConfigFileError) -> [String] {
        let typed = arguments.prefix { $0 != "--" }
        guard let path = try Self.path(in: arguments) else { return arguments }
        let root: CommandDefinitions.Command
        do {
            root = try CommandDefinitions(dump: try definitions()).command
        } catch {
            throw .helpUnavailable(reason: String(describing: error))
        }
        let (command, depth) = root.resolve(arguments)
        let options = (command.arguments ?? []).filter { $0.kind == "option" || $0.kind == "flag" }
        guard options.contains(where: { $0.longNames.contains("config-file") }) else { return arguments }
        let file = try ConfigFile(path: path)
        let name = ([root.commandName] + arguments.prefix(depth)).joined(separator: " ")
        var inserted: [String] = []
        for (key, value) in file.entries {
            guard !Self.reserved.contains(key) else { throw .notAllowed(path: path, key: key) }
            guard let argument = options.first(where: { $0.longNames.contains(key) }) else {
                if root.optionNames.contains(key) { continue }
                throw .unknownKey(path: path, key: key, command: name)
            }
            let onCommandLine = typed.dropFirst(depth).contains { word in
                argument.spellings.contains { word == $0 || ($0.hasPrefix("--") && word.hasPrefix($0 + "=")) }
            }
            if onCommandLine { continue }
            inserted += try Self.words(key: key, value: value, argument: argument, path: path)
        }
        return Array(arguments.prefix(depth)) + inserted + Array(arguments.dropFirst(depth))
    }

    /// The config file's path on the command line; nil when `--config-file` is not given, or has
    /// no value (the parser then reports it).
    ///
    /// - Throws: ``ConfigFileError/givenTwice``.
    package static func path(in arguments: [String]) throws(ConfigFileError) -> String? {
        let typed = arguments.prefix { $0 != "--" }
        let given = typed.indices.filter { typed[$0] == Self.option || typed[$0].hasPrefix(Self.option + "=") }
        guard let index = given.first else { return nil }
        guard given.count == 1 else { throw .givenTwice }
        guard typed[index] == Self.option else { return String(typed[index].dropFirst(Self.option.count + 1)) }
        return index + 1 < typed.count ? typed[index + 1] : nil
    }

    /// The command-line words for one key.
    private static func words(
        key: String,
        value: ConfigValue,
        argument: CommandDefinitions.Argument,
        path: String
    ) throws(ConfigFileError) -> [String] {
        if argument.kind == "flag" {
            guard case .boolean(let on) = value else {
                throw .wrongType(path: path, key: key, expected: "a boolean (true or false)", found: value.kind)
            }
            if on { return ["--\(key)"] }
            return argument.longNames.contains("no-\(key)") ? ["--no-\(key)"] : []
        }
        guard argument.isRepeating else {
            return ["--\(key)=\(try Self.word(value, expecting: Expectation(argument), key: key, path: path))"]
        }
        let items: [ConfigValue]
        if case .array(let array) = value { items = array } else { items = [value] }
        var words: [String] = []
        for item in items {
            words.append("--\(key)=\(try Self.word(item, expecting: .list, key: key, path: path))")
        }
        return words
    }

    private static func word(
        _ value: ConfigValue,
        expecting expectation: Expectation,
        key: String,
        path: String
    ) throws(ConfigFileError) -> String {
        guard expectation.accepts(value), let word = value.word else {
            throw .wrongType(path: path, key: key, expected: expectation.description, found: value.kind)
        }
        return word
    }
}

/// The TOML types a value of one option may have, read off the option's definition: the dump has
/// no Swift types, but an option's default value and its listed values show them.
enum Expectation: Equatable, CustomStringConvertible {
    case integer
    case number
    case boolean
    case oneOf([String])
    case scalar
    /// An element of a repeatable option's array.
    case list

    init(_ argument: CommandDefinitions.Argument) {
        if let values = argument.allValues, !values.isEmpty {
            self = Set(values) == ["true", "false"] ? .boolean : .oneOf(values)
        } else if let value = argument.defaultValue, Int(value) != nil {
            self = .integer
        } else if let value = argument.defaultValue, Double(value) != nil {
            self = .number
        } else {
            self = .scalar
        }
    }

    func accepts(_ value: ConfigValue) -> Bool {
        switch (self, value) {
        case (.integer, .integer), (.number, .integer), (.number, .number), (.boolean, .boolean),
            (.oneOf, .string), (.scalar, .string), (.scalar, .integer), (.scalar, .number),
            (.list, .string), (.list, .integer), (.list, .number):
            true
        default:
            false
        }
    }

    var description: String {
        switch self {
        case .integer: "an integer"
        case .number: "a number"
        case .boolean: "a boolean (true or false)"
        case .oneOf(let values): "a string, one of: \(values.joined(separator: ", "))"
        case .scalar: "a string or a number"
        case .list: "an array of strings or numbers"
        }
    }
}
