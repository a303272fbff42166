internal import Foundation

/// The commands and options of a command line, as swift-argument-parser describes them in its
/// help dump (`_dumpHelp()`, the JSON behind `--experimental-dump-help`).
///
/// Only the fields a config file and the man page need are decoded; the rest of the dump is
/// ignored, so a newer parser that adds fields still decodes.
package struct CommandDefinitions: Decodable, Sendable {
    /// One command: its name, aliases, options and subcommands.
    package struct Command: Decodable, Sendable {
        package var commandName: String
        package var aliases: [String]?
        package var abstract: String?
        package var discussion: String?
        /// False for hidden commands.
        package var shouldDisplay: Bool?
        package var subcommands: [Command]?
        package var arguments: [Argument]?
    }

    /// One option, flag or positional argument.
    package struct Argument: Decodable, Sendable {
        package struct Name: Decodable, Sendable {
            /// `long`, `short` or `longWithSingleDash`.
            package var kind: String
            package var name: String
        }

        /// `option`, `flag` or `positional`.
        package var kind: String
        package var names: [Name]?
        package var isRepeating: Bool
        package var isOptional: Bool?
        package var defaultValue: String?
        package var allValues: [String]?
        package var valueName: String?
        package var abstract: String?
        package var discussion: String?
        /// False for hidden options.
        package var shouldDisplay: Bool?

        /// The names written `--name`.
        package var longNames: [String] { (self.names ?? []).filter { $0.kind == "long" }.map(\.name) }

        /// Every spelling on a command line: `--long` and `-s`.
        package var spellings: [String] {
            (self.names ?? []).map {
                $0.kind == "short" || $0.kind == "longWithSingleDash" ? "-\($0.name)" : "--\($0.name)"
            }
        }
    }

    package var command: Command

    /// Decodes a help dump.
    package init(dump: String) throws {
        self = try JSONDecoder().decode(CommandDefinitions.self, from: Data(dump.utf8))
    }
}

extension CommandDefinitions.Command {
    /// The subcommand the leading words of `arguments` name (`archive import`), and how many words
    /// named it; this command and 0 when the first word is not a subcommand.
    func resolve(_ arguments: [String]) -> (command: CommandDefinitions.Command, depth: Int) {
        var command = self
        var depth = 0
        while depth < arguments.count,
            let next = (command.subcommands ?? []).first(where: {
                $0.commandName == arguments[depth] || ($0.aliases ?? []).contains(arguments[depth])
            })
        {
            command = next
            depth += 1
        }
        return (command, depth)
    }

    /// The long names of every option and flag of this command and its subcommands.
    var optionNames: Set<String> {
        let own = (self.arguments ?? []).filter { $0.kind != "positional" }.flatMap(\.longNames)
        return (self.subcommands ?? []).reduce(into: Set(own)) { $0.formUnion($1.optionNames) }
    }
}
