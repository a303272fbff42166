/// The compact layout's tab bar: every pane with a one-word badge, the active one highlighted.
struct TabBar {
    let state: MonitorState

    func draw(in rect: Rect, on grid: inout CellGrid, context: RenderContext) {
        guard rect.height > 0 else { return }
        var badges = Pane.allCases.map { pane in Renderer.paneView(pane, state: self.state).badge(context: context) }
        func labels() -> [String] {
            Pane.allCases.map { pane in " \(pane.title)" + (badges[pane.rawValue].map { " " + $0.text } ?? "") + " " }
        }
        // When the bar is too narrow for every badge, the later tabs lose theirs first, warnings
        // and errors last: they are what the operator looks for.
        func fits() -> Bool { labels().reduce(labels().count - 1, { $0 + $1.unicodeScalars.count }) <= rect.width }
        for keepingAlerts in [true, false] {
            for index in badges.indices.reversed() where !fits() {
                guard let role = badges[index]?.role else { continue }
                if keepingAlerts && (role == .warning || role == .error) { continue }
                badges[index] = nil
            }
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
