/// The compact layout's tab bar: every pane with a one-word badge, the active one highlighted.
struct TabBar {
    let state: MonitorState

    func draw(in rect: Rect, on grid: inout CellGrid, context: RenderContext) {
        guard rect.height > 0 else { return }
        let badges = Pane.allCases.map { pane in Renderer.paneView(pane, state: self.state).badge(context: context) }
        for withBadges in [true, false] {
            let labels = Pane.allCases.map { pane in
                let badge = withBadges ? badges[pane.rawValue].map { " " + $0.text } ?? "" : ""
                return " \(pane.title)\(badge) "
            }
            let total = labels.reduce(0) { $0 + $1.unicodeScalars.count } + labels.count - 1
            guard total <= rect.width || !withBadges else { continue }
            var x = rect.x
            for (pane, label) in zip(Pane.allCases, labels) {
                let active = pane == self.state.view.focus
                let role: Role = active ? .activeTab : (withBadges ? badges[pane.rawValue]?.role ?? .normal : .normal)
                x = grid.put(
                    label,
                    x: x,
                    y: rect.y,
                    style: context.style(active ? .activeTab : role == .normal ? .dim : role)
                )
                if pane != Pane.allCases.last {
                    x = grid.put(String(context.glyphs.vertical), x: x, y: rect.y, style: context.style(.border))
                }
            }
            return
        }
    }
}
