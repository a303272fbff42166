/// Maps each ``Role`` to a ``Style``: the colour theme, and a monochrome one for terminals without
/// colours or when `NO_COLOR` is set.
package struct Theme: Sendable {
    /// `colour` or `monochrome`.
    package var name: String
    private var styles: [Style]

    /// A theme giving `style(role)` to each role.
    package init(name: String, _ style: (Role) -> Style) {
        self.name = name
        self.styles = Role.allCases.map(style)
    }

    /// The style of `role` in this theme.
    package func style(_ role: Role) -> Style { self.styles[role.rawValue] }

    /// Colours on the terminal's default background.
    package static let colour = Theme(name: "colour") { role in
        switch role {
        case .normal: .plain
        case .dim: Style(attributes: .dim)
        case .header: Style(foreground: .white, background: .blue, attributes: .bold)
        case .border: Style(foreground: .blue)
        case .title: Style(foreground: .cyan)
        case .focusBorder: Style(foreground: .cyan, attributes: .bold)
        case .focusTitle: Style(foreground: .cyan, attributes: [.bold, .reverse])
        case .columnHeader: Style(attributes: [.bold, .underline])
        case .selection: Style(attributes: .reverse)
        case .good: Style(foreground: .green)
        case .warning: Style(foreground: .yellow)
        case .error: Style(foreground: .red, attributes: .bold)
        case .accent: Style(foreground: .magenta, attributes: .bold)
        case .key: Style(foreground: .cyan, attributes: .bold)
        case .activeTab: Style(foreground: .cyan, attributes: [.bold, .reverse])
        case .chart: Style(foreground: .cyan)
        }
    }

    /// Attributes only: bold, reverse, underline and dim.
    package static let monochrome = Theme(name: "monochrome") { role in
        switch role {
        case .normal, .border, .good, .chart: .plain
        case .dim: Style(attributes: .dim)
        case .header, .selection, .focusTitle, .activeTab: Style(attributes: .reverse)
        case .title, .focusBorder, .columnHeader, .warning, .accent, .key: Style(attributes: .bold)
        case .error: Style(attributes: [.bold, .underline])
        }
    }
}
