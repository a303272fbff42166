/// Every non-ASCII character the monitor draws, with an ASCII twin (STYLE.md §12).
///
/// All Unicode glyphs here are one cell wide and present in DejaVu Sans Mono, so the cell grid
/// stays 1:1 with terminal columns. The ASCII set is chosen with `--ascii` or when the locale is
/// not UTF-8.
package struct GlyphSet: Sendable {
    /// `unicode` or `ascii`.
    package var name: String
    /// Box drawing.
    package var horizontal: Unicode.Scalar
    package var vertical: Unicode.Scalar
    package var topLeft: Unicode.Scalar
    package var topRight: Unicode.Scalar
    package var bottomLeft: Unicode.Scalar
    package var bottomRight: Unicode.Scalar
    /// Sparkline levels from lowest to highest (a zero draws as the first, a space never).
    package var sparkline: [Unicode.Scalar]
    /// Progress bars: done and to do.
    package var barFull: Unicode.Scalar
    package var barEmpty: Unicode.Scalar
    /// Shortens text that does not fit.
    package var ellipsis: String
    /// Separates facts on one line.
    package var separator: Unicode.Scalar
    /// Marks the selected row.
    package var pointer: Unicode.Scalar
    /// Succeeded (next to a word).
    package var check: Unicode.Scalar
    /// Failed (next to a word).
    package var cross: Unicode.Scalar
    /// Connected / live.
    package var filled: Unicode.Scalar
    /// Disconnected.
    package var hollow: Unicode.Scalar
    /// Connecting.
    package var dotted: Unicode.Scalar
    /// Backing off, waiting to retry.
    package var retry: Unicode.Scalar
    /// Paused.
    package var paused: Unicode.Scalar
    /// Both directions (a session exchanging payloads).
    package var exchange: String
    /// Arrow key names and directions.
    package var arrowUp: String
    package var arrowDown: String
    package var arrowLeft: String
    package var arrowRight: String
    /// From lower bound to upper bound, old to new.
    package var to: Unicode.Scalar
    /// The Enter key.
    package var enter: String
    /// Sizes: `80×24`.
    package var multiplication: Unicode.Scalar
    /// Ranges of numbers: `1–9`.
    package var rangeDash: Unicode.Scalar
    /// The audit heat map: an hour that agrees, one that differs (by 1–9, 10–99, 100+ hashes),
    /// and one not audited.
    package var heatAgree: Unicode.Scalar
    package var heatDiffer: [Unicode.Scalar]
    package var heatNotAudited: Unicode.Scalar

    /// Width-1 Unicode glyphs, for UTF-8 terminals.
    package static let unicode = GlyphSet(
        name: "unicode",
        horizontal: "─",
        vertical: "│",
        topLeft: "┌",
        topRight: "┐",
        bottomLeft: "└",
        bottomRight: "┘",
        sparkline: ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"],
        barFull: "█",
        barEmpty: "░",
        ellipsis: "…",
        separator: "·",
        pointer: "▸",
        check: "✓",
        cross: "✗",
        filled: "●",
        hollow: "○",
        dotted: "◌",
        retry: "↻",
        paused: "‖",
        exchange: "⇄",
        arrowUp: "↑",
        arrowDown: "↓",
        arrowLeft: "←",
        arrowRight: "→",
        to: "→",
        enter: "↵",
        multiplication: "×",
        rangeDash: "–",
        heatAgree: "▪",
        heatDiffer: ["▒", "▓", "█"],
        heatNotAudited: "·"
    )

    /// The ASCII twins: `--ascii`, or a locale that is not UTF-8.
    package static let ascii = GlyphSet(
        name: "ascii",
        horizontal: "-",
        vertical: "|",
        topLeft: "+",
        topRight: "+",
        bottomLeft: "+",
        bottomRight: "+",
        sparkline: ["_", ".", ",", ":", "-", "=", "+", "#"],
        barFull: "#",
        barEmpty: ".",
        ellipsis: "...",
        separator: "|",
        pointer: ">",
        check: "+",
        cross: "x",
        filled: "*",
        hollow: "o",
        dotted: ":",
        retry: "@",
        paused: "=",
        exchange: "<>",
        arrowUp: "Up",
        arrowDown: "Down",
        arrowLeft: "Left",
        arrowRight: "Right",
        to: ">",
        enter: "Enter",
        multiplication: "x",
        rangeDash: "-",
        heatAgree: "=",
        heatDiffer: ["x", "X", "#"],
        heatNotAudited: "."
    )

    /// Whether text drawn with this set may keep non-ASCII characters (peer-supplied strings
    /// lose them under the ASCII set, whose terminal may not decode UTF-8).
    package var allowsNonASCII: Bool { self.barFull.value > 0x7F }
}
