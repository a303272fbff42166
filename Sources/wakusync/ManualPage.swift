internal import CommandConfig
internal import Foundation

/// wakusync(1) in man(7) roff, written from the argument parser's own definitions (its help dump),
/// so the page lists exactly the commands and options the binary takes.
///
/// swift-argument-parser's GenerateManual plugin writes mdoc from the same dump, but it runs
/// through `swift package` in a source tree; a page the installed binary prints itself can be
/// installed from the binary alone (`scripts/install-extras.sh`).
struct ManualPage {
    let root: CommandDefinitions.Command
    let version: String

    /// The whole page.
    var text: String {
        var lines = [
            ".TH WAKUSYNC 1 \"\" \"wakusync \(Self.escape(self.version))\" \"User Commands\"",
            ".SH NAME",
            "wakusync \\- \(Self.escape(self.root.abstract ?? ""))",
            ".SH SYNOPSIS",
            ".B wakusync",
            ".I command",
            ".RI [ options ]",
            ".br",
            ".B wakusync",
            ".RI [ command ]",
            ".B \\-\\-help",
            ".br",
            ".B wakusync \\-\\-version",
            ".SH DESCRIPTION",
        ]
        lines += Self.paragraphs(self.root.discussion ?? self.root.abstract ?? "")
        lines += [
            ".PP",
            "Every command that runs a node also reads its options from a TOML file given with",
            ".BR \\-\\-config\\-file :",
            "keys are the long option names without the dashes, as in nwaku's config files, and an",
            "option on the command line replaces the file's value.",
            ".SH COMMANDS",
        ]
        for command in self.root.subcommands ?? [] { lines += self.section(command, path: ["wakusync"]) }
        lines += [
            ".SH FILES",
            ".TP",
            ".I /etc/wakusync/wakusync.toml",
            "The config file of the systemd unit (deploy/wakusync.service).",
            ".TP",
            ".I ~/.local/share/wakusync/default",
            "The default data directory: the node key, the last-online record and the SQLite archive.",
            ".SH EXIT STATUS",
            "0 on success; non-zero when a command fails, an option is invalid or a config file cannot be used.",
            ".SH SEE ALSO",
            ".BR systemd.exec (5),",
            ".BR journalctl (1)",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// One command's subsection, then its subcommands'.
    private func section(_ command: CommandDefinitions.Command, path: [String]) -> [String] {
        guard command.shouldDisplay ?? true, command.commandName != "help" else { return [] }
        let name = path + [command.commandName]
        var lines = [".SS \"\(Self.escape(name.joined(separator: " ")))\""]
        lines += Self.paragraphs(command.abstract ?? "")
        if let discussion = command.discussion, !discussion.isEmpty {
            lines.append(".PP")
            lines += Self.paragraphs(discussion)
        }
        for argument in command.arguments ?? [] where argument.shouldDisplay ?? true {
            // Every command has --help, and --version belongs to wakusync itself (SYNOPSIS).
            guard !argument.longNames.contains("help"), !argument.longNames.contains("version") else { continue }
            lines += Self.item(argument)
        }
        for subcommand in command.subcommands ?? [] { lines += self.section(subcommand, path: name) }
        return lines
    }

    /// A tagged paragraph: the spellings and value, then the help and default.
    private static func item(_ argument: CommandDefinitions.Argument) -> [String] {
        var tag: String
        if argument.kind == "positional" {
            tag = "\\fI\(Self.escape(argument.valueName ?? "value"))\\fR"
        } else {
            tag = argument.spellings.map { "\\fB\(Self.escape($0))\\fR" }.joined(separator: ", ")
            if argument.kind == "option" { tag += " \\fI\(Self.escape(argument.valueName ?? "value"))\\fR" }
        }
        if argument.isRepeating && argument.kind != "flag" { tag += " ..." }
        var help = argument.abstract ?? ""
        if let value = argument.defaultValue, !value.isEmpty, argument.kind == "option" {
            help += " (default: \(value))"
        }
        return [".TP", tag] + Self.paragraphs(help)
    }

    /// Text as roff lines: paragraphs split at blank lines, each line escaped.
    private static func paragraphs(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .map { $0.isEmpty ? ".PP" : Self.escape($0) }
    }

    /// Escapes text for roff: backslashes, hyphens, a leading control character, and every
    /// non-ASCII character as ASCII or a named glyph, so the page is ASCII and needs no preconv.
    static func escape(_ text: some StringProtocol) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": escaped += "\\e"
            case "-": escaped += "\\-"
            case _ where scalar.isASCII: escaped.unicodeScalars.append(scalar)
            // groff's ASCII device (man's, in the C locale) has no glyph for these: plain ASCII.
            case "\u{2026}": escaped += "..."
            case "\u{2192}": escaped += "\\->"
            // Named glyphs groff renders on every device, falling back to ASCII.
            case "\u{00D7}": escaped += "\\(mu"
            case "\u{2014}": escaped += "\\(em"
            case "\u{2013}": escaped += "\\(en"
            case "\u{2265}": escaped += "\\(>="
            case "\u{2264}": escaped += "\\(<="
            default: escaped += "\\[u\(String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4))]"
            }
        }
        if escaped.hasPrefix(".") || escaped.hasPrefix("'") { escaped = "\\&" + escaped }
        return escaped
    }
}

extension String {
    /// The string with leading zeros up to `width` characters.
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - self.count)) + self
    }
}
