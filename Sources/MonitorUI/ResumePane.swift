internal import NodeEvents

/// Store Resume: the peer, the window, pages and messages so far, a progress bar with the share
/// of the window covered, and an estimate of the time left.
struct ResumePane: PaneView {
    let resume: ResumeProgress?

    func preferredHeight(width: Int) -> Int { 4 }

    func summary(context: RenderContext) -> [Span] {
        [self.badge(context: context) ?? Span("not run", .dim)]
    }

    func badge(context: RenderContext) -> Span? {
        guard let resume = self.resume else { return Span("-", .dim) }
        switch resume.state {
        case .running: return Span(Format.percent(resume.fraction), .accent)
        case .finished: return Span("\(context.glyphs.check) done", .good)
        case .failed: return Span("\(context.glyphs.cross) failed", .error)
        case .noPeer: return Span("no peer", .warning)
        }
    }

    func draw(in rect: Rect, focused: Bool, on grid: inout CellGrid, context: RenderContext) {
        let x = rect.x + 2
        let width = rect.width - 3
        guard let resume = self.resume else {
            grid.draw(
                [Span("Store Resume has not run yet; press r to start it", .dim)],
                x: x,
                y: rect.y,
                width: width,
                context: context
            )
            return
        }
        let glyphs = context.glyphs
        var status: [Span]
        switch resume.state {
        case .running: status = [Span("\(glyphs.filled) running", .accent)]
        case .finished: status = [Span("\(glyphs.check) finished", .good)]
        case .failed(let reason): status = [Span("\(glyphs.cross) failed: ", .error), Span(reason, .error)]
        case .noPeer: status = [Span("\(glyphs.hollow) no store peer to resume from", .warning)]
        }
        if let peer = resume.peerID { status += [Span("  from ", .dim), Span(context.peerWithID(peer))] }
        grid.draw(status, x: x, y: rect.y, width: width, context: context)
        guard rect.height > 1, resume.windowEnd > resume.windowStart else { return }
        let window = [
            Span("messages ", .dim), Span(Format.count(resume.messages), .accent), Span(context.separator, .dim),
            Span("pages ", .dim), Span(Format.count(resume.pages)), Span(context.separator, .dim),
            Span("window ", .dim), Span(context.clock(resume.windowStart)), Span(" \(glyphs.to) ", .dim),
            Span(context.clock(resume.windowEnd)),
            Span(" (\(Format.span(from: resume.windowStart, to: resume.windowEnd)))", .dim),
        ]
        grid.draw(window, x: x, y: rect.y + 1, width: width, context: context)
        guard rect.height > 2 else { return }
        let timing = self.timing(resume, context: context)
        let timingWidth = timing.reduce(0) { $0 + $1.text.unicodeScalars.count }
        let barWidth = max(5, width - timingWidth - 6)
        let barY = rect.y + (rect.height > 3 ? 3 : 2)
        grid.bar(
            fraction: resume.fraction,
            x: x,
            y: barY,
            width: barWidth,
            role: resume.state == .finished ? .good : .chart,
            context: context
        )
        grid.draw(
            [Span(" " + Table.leftPad(Format.percent(resume.fraction), 4), .accent)] + timing,
            x: x + barWidth,
            y: barY,
            width: width - barWidth,
            context: context
        )
    }

    private func timing(_ resume: ResumeProgress, context: RenderContext) -> [Span] {
        let elapsed = max(0, context.now - resume.startedAt)
        switch resume.state {
        case .running:
            let fraction = resume.fraction
            let eta = fraction > 0.001 ? Int64(Double(elapsed) * (1 - fraction) / fraction) : nil
            return [
                Span("  ETA ", .dim), Span(eta.map { Format.span(seconds: $0 / Format.nanosecondsPerSecond) } ?? "?"),
                Span("  elapsed ", .dim), Span(Format.span(seconds: elapsed / Format.nanosecondsPerSecond)),
            ]
        case .finished, .failed, .noPeer:
            return [Span("  started ", .dim), Span(Format.ago(resume.startedAt, now: context.now))]
        }
    }
}
