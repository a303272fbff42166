internal import CNCurses
package import MonitorUI

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// The only code that calls ncurses. Create, use and close it on one thread (the UI thread); it
/// is deliberately not `Sendable`.
///
/// What running ncurses from Swift taught us: `newterm` rather than `initscr` (which exits the process on
/// an unknown TERM), the C.UTF-8 fallback when the locale is not UTF-8, the wide-character API,
/// default colours, `wget_wch` with a timeout as the frame clock, and a `poll` for POLLHUP on
/// every ERR so a vanished pty cannot make the loop spin.
package final class CursesTerminal: TerminalBackend {
    /// Whether the terminal can show colours.
    package let hasColours: Bool
    /// Whether the locale the process started with was UTF-8 (else draw with the ASCII glyphs).
    package let localeIsUTF8: Bool
    /// The window size, updated on KEY_RESIZE.
    package private(set) var size: Size

    private let screen: OpaquePointer
    private let window: UnsafeMutablePointer<WINDOW>
    private var pairs: [Int: Int16] = [:]
    private var previous: CellGrid?
    private var characters: [wchar_t] = []
    private var isClosed = false

    /// Takes over the terminal on stdin/stdout. Call ``TerminalCheck/verify(environment:)`` first.
    package init(term: String) throws(TerminalError) {
        setlocale(LC_ALL, "")
        self.localeIsUTF8 = Self.codesetIsUTF8()
        // ncursesw garbles box drawing without a UTF-8 LC_CTYPE; C.UTF-8 is always on Debian.
        if !self.localeIsUTF8 { setlocale(LC_CTYPE, "C.UTF-8") }
        guard let screen = newterm(nil, cnc_stdout(), cnc_stdin()) else {
            throw TerminalError(.cannotOpen, "ncurses could not open terminal type '\(term)'; use --headless")
        }
        guard cnc_has_string_capability("cup") != 0, let window = stdscrWindow() else {
            endwin()
            delscreen(screen)
            throw TerminalError(
                .unsuitable,
                "terminal type '\(term)' is unsuitable: no cursor addressing (cup); use --headless"
            )
        }
        self.screen = screen
        self.window = window
        cbreak()
        noecho()
        nonl()
        keypad(window, true)
        set_escdelay(25)
        // By default doupdate polls stdin for typeahead between lines and flushes its output
        // before each poll: about 20 polls and 190 writes per frame at 200×60 (strace), most of
        // the UI thread's CPU. Frames are small and keys are handled between them anyway.
        typeahead(-1)
        curs_set(0)
        self.hasColours = has_colors()
        if self.hasColours {
            start_color()
            use_default_colors()
        }
        self.size = Size(width: Int(cnc_getmaxx(window)), height: Int(cnc_getmaxy(window)))
    }

    deinit {
        self.close()
    }

    /// Gives the terminal back: leaves the alternate screen, restores modes, shows the cursor.
    /// Safe to call twice.
    package func close() {
        guard !self.isClosed else { return }
        self.isClosed = true
        cnc_wattrset(self.window, cnc_a_normal())
        endwin()
        delscreen(self.screen)
    }

    /// Waits at most `timeout` for a key (`wtimeout` + `wget_wch`); an ERR with POLLHUP on stdin is a hang-up.
    package func readInput(timeout: Duration) -> TerminalInput {
        // Rounded up: a timeout truncated to 0 ms would spin through the last millisecond of
        // every frame.
        let milliseconds =
            timeout.components.seconds * 1000 + (timeout.components.attoseconds + 999_999_999_999_999)
            / 1_000_000_000_000_000
        wtimeout(self.window, Int32(clamping: max(0, milliseconds)))
        var character: wint_t = 0
        let result = wget_wch(self.window, &character)
        switch result {
        case KEY_CODE_YES:
            if Int32(character) == KEY_RESIZE {
                self.size = Size(width: Int(cnc_getmaxx(self.window)), height: Int(cnc_getmaxy(self.window)))
                // The next paint redraws every row; blank the bottom-right cell it never writes.
                self.previous = nil
                werase(self.window)
                clearok(self.window, true)
                return .resize
            }
            return Self.functionKey(Int32(character)).map(TerminalInput.key) ?? .timeout
        case OK:
            return Self.characterKey(UInt32(character)).map(TerminalInput.key) ?? .timeout
        default:
            return Self.inputHungUp() ? .hangUp : .timeout
        }
    }

    /// Writes the rows that changed since the last frame, each as runs of one style, then one `doupdate`.
    package func paint(_ grid: CellGrid) {
        if grid.size != self.size { self.previous = nil }
        for y in grid.rowsDiffering(from: self.previous) where y < self.size.height {
            self.paintRow(grid, y: y)
        }
        wnoutrefresh(self.window)
        doupdate()
        self.previous = grid
    }

    /// Writes the part of row `y` that changed since the last frame (all of it after a resize),
    /// as runs of one style: most rows change in a few cells (a counter, a time), and every cell
    /// handed to curses costs CPU even when curses then sends nothing.
    private func paintRow(_ grid: CellGrid, y: Int) {
        let row = grid.row(y)
        // The bottom-right cell is never written: many terminals scroll when it is.
        let width = min(grid.width, self.size.width) - (y == self.size.height - 1 ? 1 : 0)
        var start = row.startIndex
        var end = row.startIndex + max(0, width)
        if let previous = self.previous {
            let old = previous.row(y)
            let offset = old.startIndex - row.startIndex
            while start < end && row[start] == old[start + offset] { start += 1 }
            while end > start && row[end - 1] == old[end - 1 + offset] { end -= 1 }
        }
        while start < end {
            let style = row[start].style
            var stop = start
            self.characters.removeAll(keepingCapacity: true)
            while stop < end && row[stop].style == style {
                self.characters.append(wchar_t(bitPattern: row[stop].scalar.value))
                stop += 1
            }
            cnc_wattrset(self.window, self.attributes(style))
            _ = self.characters.withUnsafeBufferPointer { buffer in
                mvwaddnwstr(
                    self.window,
                    Int32(y),
                    Int32(start - row.startIndex),
                    buffer.baseAddress,
                    Int32(buffer.count)
                )
            }
            start = stop
        }
    }

    private func attributes(_ style: Style) -> Int32 {
        var attributes = cnc_a_normal()
        if style.attributes.contains(.bold) { attributes |= cnc_a_bold() }
        if style.attributes.contains(.reverse) { attributes |= cnc_a_reverse() }
        if style.attributes.contains(.underline) { attributes |= cnc_a_underline() }
        if style.attributes.contains(.dim) { attributes |= cnc_a_dim() }
        return attributes | cnc_color_pair(Int32(self.pair(style)))
    }

    /// The colour pair for a style's colours, allocated on first use; 0 (the terminal's
    /// defaults) without colours or when the pairs run out.
    private func pair(_ style: Style) -> Int16 {
        guard self.hasColours, style.foreground != .default || style.background != .default else { return 0 }
        let key = Int(style.foreground.rawValue) << 4 | Int(style.background.rawValue)
        if let pair = self.pairs[key] { return pair }
        let number = Int16(self.pairs.count + 1)
        guard Int32(number) < cnc_color_pairs() else { return 0 }
        init_pair(number, Self.cursesColour(style.foreground), Self.cursesColour(style.background))
        self.pairs[key] = number
        return number
    }

    private static func cursesColour(_ colour: Color) -> Int16 {
        switch colour {
        case .default: -1
        case .black: Int16(COLOR_BLACK)
        case .red: Int16(COLOR_RED)
        case .green: Int16(COLOR_GREEN)
        case .yellow: Int16(COLOR_YELLOW)
        case .blue: Int16(COLOR_BLUE)
        case .magenta: Int16(COLOR_MAGENTA)
        case .cyan: Int16(COLOR_CYAN)
        case .white: Int16(COLOR_WHITE)
        }
    }

    private static func codesetIsUTF8() -> Bool {
        guard let codeset = cnc_codeset() else { return false }
        let name = String(cString: codeset).uppercased()
        return name == "UTF-8" || name == "UTF8"
    }

    /// After an ERR: a closed pty reports POLLHUP (read would return 0 at once, forever).
    private static func inputHungUp() -> Bool {
        var descriptor = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 0) > 0 else { return false }
        return descriptor.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0
    }
}

/// ncurses' `stdscr` after `newterm`; Swift 6 rejects the C global itself.
private func stdscrWindow() -> UnsafeMutablePointer<WINDOW>? { cnc_stdscr() }
