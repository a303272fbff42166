internal import CNCurses
internal import MonitorUI

// Decoding what `wget_wch` returns into ``Key``s.
extension CursesTerminal {
    /// A key code (`wget_wch` returned KEY_CODE_YES).
    static func functionKey(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: .up
        case KEY_DOWN: .down
        case KEY_LEFT: .left
        case KEY_RIGHT: .right
        case KEY_PPAGE: .pageUp
        case KEY_NPAGE: .pageDown
        case KEY_HOME: .home
        case KEY_END: .end
        case KEY_BTAB: .backTab
        case KEY_BACKSPACE: .backspace
        case KEY_ENTER: .enter
        default: nil
        }
    }

    /// A character (`wget_wch` returned OK). Control characters other than the ones the monitor
    /// uses are dropped, so they can never reach a prompt.
    static func characterKey(_ value: UInt32) -> Key? {
        switch value {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 0..<32: return nil
        default:
            guard let scalar = Unicode.Scalar(value), !(0x7F..<0xA0).contains(value) else { return nil }
            return .character(Character(scalar))
        }
    }
}
