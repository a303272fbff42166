internal import NodeEvents

/// The bottom line: the key hints from the ``KeyTable``, or the open prompt or question, or for a
/// few seconds the result of the last action.
struct FooterView {
    let dashboard: Dashboard

    func draw(in rect: Rect, on grid: inout CellGrid, context: RenderContext) {
        guard rect.height > 0 else { return }
        // The bottom-right cell stays empty: many terminals scroll when it is written.
        let width = rect.width - 1
        switch self.dashboard.overlay {
        case .help:
            grid.draw([Span(" any key closes the help", .key)], x: rect.x, y: rect.y, width: width, context: context)
        case .prompt(let prompt):
            self.drawPrompt(prompt, in: rect, width: width, on: &grid, context: context)
        case .confirm(let question):
            grid.draw(self.question(question, context: context), x: rect.x, y: rect.y, width: width, context: context)
        case .none:
            if let flash = self.dashboard.flash(at: context.now) {
                let role: Role = flash.severity == .info ? .good : flash.severity == .warning ? .warning : .error
                var spans = [Span(" \(context.glyphs.arrowRight) ", role), Span(flash.text, role)]
                if let peer = flash.peerID { spans.append(Span(context.separator + context.peerWithID(peer), .normal)) }
                grid.draw(spans, x: rect.x, y: rect.y, width: width, context: context)
            } else {
                grid.draw(
                    self.hints(width: width, context: context),
                    x: rect.x,
                    y: rect.y,
                    width: width,
                    context: context
                )
            }
        }
    }

    private func drawPrompt(
        _ prompt: Dashboard.Prompt,
        in rect: Rect,
        width: Int,
        on grid: inout CellGrid,
        context: RenderContext
    ) {
        let label: String
        let help: String
        switch prompt.purpose {
        case .addPeer: (label, help) = (" add peer (multiaddr) ", "Enter dials, Esc cancels ")
        case .logFilter: (label, help) = (" filter log ", "Enter keeps, Esc clears ")
        }
        let helpWidth = help.count
        var x = grid.put(label, x: rect.x, y: rect.y, style: context.style(.key))
        x = grid.put("\(context.glyphs.pointer) ", x: x, y: rect.y, style: context.style(.key))
        let room = max(1, width - (x - rect.x) - helpWidth - 2)
        // Show the end of a long entry, where the typing happens.
        let shown = String(String.UnicodeScalarView(prompt.text.unicodeScalars.suffix(room - 1)))
        x = grid.put(shown, x: x, y: rect.y, style: context.style(.normal))
        grid.put(" ", x: x, y: rect.y, style: context.style(.selection))
        grid.put(help, x: rect.x + width - helpWidth, y: rect.y, style: context.style(.dim))
    }

    private func question(_ question: Dashboard.Confirmation, context: RenderContext) -> [Span] {
        switch question {
        case .quit(let live):
            return [
                Span(" Quit while \(live) session\(live == 1 ? "" : "s") run\(live == 1 ? "s" : "")? ", .warning),
                Span("y", .key), Span(" or ", .normal), Span("q", .key), Span(" quits, any other key stays", .normal),
            ]
        case .disconnect(let peerID):
            return [
                Span(" Disconnect \(context.peerWithID(peerID))? ", .warning),
                Span("y", .key), Span(" disconnects, any other key keeps it", .normal),
            ]
        case .auditRepair(let peerID):
            return [
                Span(" Audit and repair with \(context.peerWithID(peerID))? ", .warning),
                Span("y", .key), Span(" fetches what we lack and pushes what it lacks, any other key cancels", .normal),
            ]
        }
    }

    /// Footer hints dropped first when the line is too narrow for all (the help screen lists
    /// every key); `?` and `q` are never dropped.
    private static let dropOrder: [Action] = [
        .syncAll, .audit, .nextPane, .addPeer, .disconnect, .publishTest, .startResume, .drillDown,
    ]

    private struct Hint {
        var action: Action
        var key: String
        var label: String
    }

    /// The key hints that fit, in table order.
    private func hints(width: Int, context: RenderContext) -> [Span] {
        var hints: [Hint]
        let view = self.dashboard.state.view
        if view.auditDrillDown != nil {
            hints = [
                Hint(action: .moveDown, key: self.keys(.moveUp, .moveDown, context: context), label: "scroll"),
                Hint(action: .nextPane, key: self.arrows(context: context), label: "hour"),
                Hint(action: .back, key: self.keys(.drillDown, .back, context: context), label: "close"),
                self.hint(.help, context: context), self.hint(.quit, context: context),
            ].compactMap(\.self)
        } else if view.focus == .audit && view.drillDown == nil {
            let arrows = self.arrows(context: context) + " " + self.keys(.moveUp, .moveDown, context: context)
            hints = [
                Hint(action: .moveDown, key: arrows, label: "hour"),
                Hint(action: .drillDown, key: self.keys(.drillDown, context: context), label: "minutes"),
                self.hint(.audit, context: context),
                Hint(action: .audit, key: KeyTable.repairKey.name(context.glyphs), label: "repair"),
                self.hint(.nextPane, context: context), self.hint(.help, context: context),
                self.hint(.quit, context: context),
            ].compactMap(\.self)
        } else if view.drillDown != nil {
            hints = [
                Hint(action: .moveDown, key: self.keys(.moveUp, .moveDown, context: context), label: "round"),
                Hint(action: .pageDown, key: self.keys(.pageUp, .pageDown, context: context), label: "ranges"),
                Hint(action: .back, key: self.keys(.drillDown, .back, context: context), label: "close"),
                self.hint(.help, context: context), self.hint(.quit, context: context),
            ].compactMap(\.self)
        } else {
            // Keys that do nothing here are not offered: node keys with one node, publish without relay.
            hints = KeyTable.bindings.filter { binding in
                binding.showsInFooter && (binding.action != .watchNode || self.dashboard.nodes.count > 1)
                    && (binding.action != .publishTest || self.dashboard.state.runsRelay)
            }.compactMap { self.hint($0.action, context: context) }
        }
        var gap = 2
        func length() -> Int { hints.reduce(1) { $0 + $1.key.unicodeScalars.count + 1 + $1.label.count + gap } }
        if length() > width { gap = 1 }
        for action in Self.dropOrder where length() > width { hints.removeAll { $0.action == action } }
        while length() > width && hints.count > 2 { hints.remove(at: hints.count - 3) }
        var spans = [Span(" ")]
        for hint in hints {
            spans.append(Span(hint.key, .key))
            spans.append(Span(" " + hint.label + String(repeating: " ", count: gap), .normal))
        }
        return spans
    }

    private func hint(_ action: Action, context: RenderContext) -> Hint? {
        KeyTable.binding(for: action).map { binding in
            Hint(action: action, key: binding.keysLabel ?? binding.keys[0].name(context.glyphs), label: binding.label)
        }
    }

    /// `← →`: the arrows that move the Audit map's hour cursor.
    private func arrows(context: RenderContext) -> String {
        "\(Key.left.name(context.glyphs)) \(Key.right.name(context.glyphs))"
    }

    private func keys(_ actions: Action..., context: RenderContext) -> String {
        actions.compactMap { KeyTable.binding(for: $0)?.keys.first?.name(context.glyphs) }.joined(separator: " ")
    }
}
