/// One row of the key table: the keys, what they do, and how the footer and help screen say it.
package struct KeyBinding: Sendable {
    /// Where the help screen lists a binding.
    package enum Section: String, CaseIterable, Sendable {
        case actions = "Act on peers"
        case views = "Look around"
        case monitor = "Monitor"
    }

    /// The keys that trigger it, the first one shown in the footer.
    package var keys: [Key]
    /// What they do.
    package var action: Action
    /// One word for the footer.
    package var label: String
    /// A sentence for the help screen and the README.
    package var help: String
    /// Whether the footer lists it (the help screen lists every binding).
    package var showsInFooter: Bool
    /// The help screen's group.
    package var section: Section
    /// Overrides the joined key names (`1-9` instead of nine names).
    package var keysLabel: String?

    /// A row of the key table.
    package init(
        keys: [Key],
        action: Action,
        label: String,
        help: String,
        showsInFooter: Bool,
        section: Section,
        keysLabel: String? = nil
    ) {
        self.keys = keys
        self.action = action
        self.label = label
        self.help = help
        self.showsInFooter = showsInFooter
        self.section = section
        self.keysLabel = keysLabel
    }

    /// The keys as the help screen shows them: `k ↑`, `1-9`.
    package func keyNames(_ glyphs: GlyphSet) -> String {
        self.keysLabel ?? self.keys.map { $0.name(glyphs) }.joined(separator: " ")
    }
}
