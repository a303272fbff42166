/// A key press, as the terminal adapter decodes it.
package enum Key: Hashable, Sendable {
    /// A printable character (letters keep their case).
    case character(Character)
    case enter
    case escape
    case tab
    /// Shift-Tab.
    case backTab
    case backspace
    case up
    case down
    case left
    case right
    case pageUp
    case pageDown
    case home
    case end

    /// The key's name on screen (footer, help screen, README).
    package func name(_ glyphs: GlyphSet) -> String {
        switch self {
        case .character(" "): "Space"
        case .character(let character): String(character)
        case .enter: "Enter"
        case .escape: "Esc"
        case .tab: "Tab"
        case .backTab: "Shift-Tab"
        case .backspace: "Backspace"
        case .up: glyphs.arrowUp
        case .down: glyphs.arrowDown
        case .left: glyphs.arrowLeft
        case .right: glyphs.arrowRight
        case .pageUp: "PgUp"
        case .pageDown: "PgDn"
        case .home: "Home"
        case .end: "End"
        }
    }

    /// The digit 1…9 this key types, if it is one.
    package var digit: Int? {
        guard case .character(let character) = self, let value = character.wholeNumberValue,
            (1...9).contains(value), character.isASCII
        else { return nil }
        return value
    }
}
