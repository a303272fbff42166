/// One of the eight ANSI colours, or the terminal's own default.
package enum Color: UInt8, Hashable, Sendable, CaseIterable {
    case `default`
    case black
    case red
    case green
    case yellow
    case blue
    case magenta
    case cyan
    case white

    /// The letter the style layer of a snapshot uses for this colour as a foreground.
    var letter: Character {
        switch self {
        case .default: "."
        case .black: "k"
        case .red: "r"
        case .green: "g"
        case .yellow: "y"
        case .blue: "b"
        case .magenta: "m"
        case .cyan: "c"
        case .white: "w"
        }
    }
}

/// How one cell looks: colours and attributes, after a ``Theme`` resolved a ``Role``.
package struct Style: Hashable, Sendable {
    /// Text attributes a terminal can combine.
    package struct Attributes: OptionSet, Hashable, Sendable {
        /// The attribute bits.
        package var rawValue: UInt8

        /// Attributes from their bits.
        package init(rawValue: UInt8) {
            self.rawValue = rawValue
        }

        /// Bold (bright on many terminals).
        package static let bold = Attributes(rawValue: 1 << 0)
        /// Foreground and background swapped.
        package static let reverse = Attributes(rawValue: 1 << 1)
        /// Underlined.
        package static let underline = Attributes(rawValue: 1 << 2)
        /// Half intensity.
        package static let dim = Attributes(rawValue: 1 << 3)
    }

    /// The terminal's defaults.
    package static let plain = Style()

    /// Text colour.
    package var foreground: Color
    /// Cell colour.
    package var background: Color
    /// Bold, reverse, underline, dim.
    package var attributes: Attributes

    /// A style; the terminal's defaults unless given.
    package init(foreground: Color = .default, background: Color = .default, attributes: Attributes = []) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }

    /// One letter for the style layer of a snapshot (`Tests/MonitorUITests/Snapshots/`): `.` plain,
    /// `r g y b m c w k` for the foreground, upper case when bold, `#` for reverse, `_` underline
    /// alone, `~` dim alone, `@` for a coloured background.
    var letter: Character {
        if self.attributes.contains(.reverse) { return "#" }
        if self.background != .default { return "@" }
        if self.foreground == .default {
            if self.attributes.contains(.bold) { return "B" }
            if self.attributes.contains(.underline) { return "_" }
            if self.attributes.contains(.dim) { return "~" }
            return "."
        }
        let letter = self.foreground.letter
        return self.attributes.contains(.bold) ? Character(letter.uppercased()) : letter
    }
}
