/// The compact layout's tab bar: every pane with a one-word badge, the active one highlighted.
struct TabBar {
    let state: MonitorState

    func draw(in rect: Rect, on grid: inout CellGrid, context: RenderContext) {
        guard rect.height > 0 else { return }
        var badges = Pane.allCases.map { pane in Renderer.paneView(pane, state: self.state).badge(context: context) }
        func labels() -> [String] {
            Pane.allCases.map { pane in " \(pane.title)" + (badges[pane.rawValue].map { " " + $0.text } ?? "") + " " }
        }
        // When the bar is too narrow for every badge, the later tabs lose theirs first.
        var index = badges.count - 1
        while labels().reduce(labels().count - 1, { $0 + $1.unicodeScalars.count }) > rect.width, index >= 0 {
            badges[index] = nil
            index -= 1
        }
        var x = rect.x
        for (pane, label) in zip(Pane.allCases, labels()) {
            let badgeRole = badges[pane.rawValue].map { $0.role == .normal ? Role.dim : $0.role } ?? .dim
            let role = pane == self.state.view.focus ? Role.activeTab : badgeRole
            x = grid.put(label, x: x, y: rect.y, style: context.style(role))
            if pane != Pane.allCases.last {
                x = grid.put(String(context.glyphs.vertical), x: x, y: rect.y, style: context.style(.border))
            }
        }
    }
}
