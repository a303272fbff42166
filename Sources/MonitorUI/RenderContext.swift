/// What every widget needs besides its data and its rectangle: how things look, what time it is,
/// and the names of peers that are nodes of this dashboard.
struct RenderContext {
    let theme: Theme
    let glyphs: GlyphSet
    /// Wall clock of the frame, nanoseconds.
    let now: Int64
    /// Seconds east of UTC for clock times.
    let utcOffset: Int
    let aliases: [String: String]

    func style(_ role: Role) -> Style { self.theme.style(role) }

    /// A peer as tables show it: its demo name if it has one, else `16Uiu2HAm…x7Q`.
    func peer(_ peerID: String) -> String {
        self.aliases[peerID] ?? Format.peerID(peerID, ellipsis: self.glyphs.ellipsis)
    }

    /// A peer with both its name and short ID when it has a name.
    func peerWithID(_ peerID: String) -> String {
        let short = Format.peerID(peerID, ellipsis: self.glyphs.ellipsis)
        return self.aliases[peerID].map { "\($0) (\(short))" } ?? short
    }

    func clock(_ timestamp: Int64) -> String { Format.clock(timestamp, utcOffset: self.utcOffset) }

    func clockMilliseconds(_ timestamp: Int64) -> String {
        Format.clockMilliseconds(timestamp, utcOffset: self.utcOffset)
    }

    func fit(_ text: String, _ width: Int) -> String { Format.fit(text, width: width, ellipsis: self.glyphs.ellipsis) }

    /// ` · ` with this glyph set's separator.
    var separator: String { " \(self.glyphs.separator) " }
}
