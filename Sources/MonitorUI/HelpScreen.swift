internal import NodeEvents

/// The `?` screen: every key from the ``KeyTable`` with its help text, a legend of the glyphs, and
/// the node's listen addresses in full.
struct HelpScreen {
    let dashboard: Dashboard

    func draw(in area: Rect, on grid: inout CellGrid, context: RenderContext) {
        let width = min(area.width, 120)
        let rect = Rect(x: area.x + (area.width - width) / 2, y: area.y, width: width, height: area.height)
        grid.fill(area)
        var lines = self.keyLines(context: context)
        let title = [Span("wakusync keys", .title)]
        let inside: Rect
        if lines.count > rect.height - 2 {
            // Too short for the box around every key (80×24): a rule on top, and no bottom border.
            grid.rule(y: rect.y, x: rect.x, width: rect.width, title: title, context: context)
            inside = Rect(x: rect.x, y: rect.y + 1, width: rect.width, height: rect.height - 1)
        } else {
            inside = grid.box(rect, title: title, focused: true, context: context)
        }
        grid.withClip(inside) { grid in
            lines.append([])
            lines += self.legend(context: context)
            lines += self.addresses(context: context)
            for (offset, line) in lines.prefix(inside.height).enumerated() {
                grid.draw(line, x: inside.x + 1, y: inside.y + offset, width: inside.width - 1, context: context)
            }
        }
    }

    private func keyLines(context: RenderContext) -> [[Span]] {
        var lines: [[Span]] = []
        for section in KeyBinding.Section.allCases {
            for (index, binding) in KeyTable.bindings.filter({ $0.section == section }).enumerated() {
                let gutter = index == 0 ? section.rawValue : ""
                lines.append([
                    Span(gutter.padding(14), .title),
                    Span(binding.keyNames(context.glyphs).padding(12), .key),
                    Span(binding.help),
                ])
            }
        }
        return lines
    }

    private func legend(context: RenderContext) -> [[Span]] {
        let glyphs = context.glyphs
        let marks: [(String, String, Role)] = [
            ("\(glyphs.filled)", "connected", .good), ("\(glyphs.dotted)", "connecting", .warning),
            ("\(glyphs.hollow)", "down", .error),
            ("\(glyphs.retry)", "retrying", .warning), ("\(glyphs.paused)", "paused", .warning),
            (glyphs.exchange, "session running", .accent), ("\(glyphs.check)", "reconciled", .good),
            ("\(glyphs.cross)", "failed", .error),
        ]
        var first = [Span("Legend".padding(14), .title)]
        for (glyph, word, role) in marks { first += [Span("\(glyph) ", role), Span(word + "  ")] }
        return [
            first,
            [
                Span(String().padding(14)),
                Span("fp", .key), Span(" fingerprint ranges  "), Span("skip", .key), Span(" skipped ranges  "),
                Span("set/N", .key), Span(" item sets carrying N items  "), Span("DIFF IN/OUT", .key),
                Span(" we lacked / they lacked"),
            ],
            [
                Span(String().padding(14)),
                Span("M", .key), Span(" in our relay mesh  "), Span("I/O", .key), Span(" received / sent"),
            ],
            [
                Span(String().padding(14)), Span("audit map ", .dim),
                Span("\(glyphs.heatAgree)", .good), Span(" hour agrees  "),
                Span(String(String.UnicodeScalarView(glyphs.heatDiffer)), .error),
                Span(" differs by 1-9, 10-99, 100+ hashes  "), Span("\(glyphs.heatNotAudited)", .dim),
                Span(" not audited"),
            ],
        ]
    }

    private func addresses(context: RenderContext) -> [[Span]] {
        var lines: [[Span]] = [[]]
        for (index, address) in (self.dashboard.state.node?.listenAddresses ?? []).enumerated() {
            lines.append([Span((index == 0 ? "Listening on" : "").padding(14), .title), Span(address)])
        }
        if let logFile = self.dashboard.logFile { lines.append([Span("Log file".padding(14), .title), Span(logFile)]) }
        return lines
    }
}
