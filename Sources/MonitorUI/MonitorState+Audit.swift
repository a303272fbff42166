internal import NodeEvents

// Archive audits: the events, the hour cursor of the Audit pane and its drill-down.
extension MonitorState {
    mutating func recordAudit(_ progress: AuditProgress) {
        // Peers are bounded by the node; an audit of one the monitor never saw keeps nothing.
        guard self.peers[progress.peerID] != nil else { return }
        self.audits[progress.peerID, default: PeerAudit()].progress = progress
    }

    mutating func finishAudit(_ report: AuditReport, at now: Int64) {
        let (severity, text) = Self.summary(of: report)
        self.appendLog(severity, .audit, text, peerID: report.peerID, at: now)
        guard self.peers[report.peerID] != nil else { return }
        var audit = self.audits[report.peerID] ?? PeerAudit()
        audit.report = report.trimmed(keepingHashes: Self.auditHashLimit)
        audit.finishedAt = now
        audit.progress = nil
        self.audits[report.peerID] = audit
    }

    /// The heat map of the selected peer's last report.
    var selectedAuditMap: AuditMap? { self.selectedAudit?.report.map(AuditMap.init) }

    /// Moves the Audit pane's hour cursor.
    mutating func moveAuditCursor(byHours hours: Int) {
        guard let map = self.selectedAuditMap else { return }
        self.view.auditCursor = map.moved(self.view.auditCursor, by: hours)
    }

    /// Moves the hour cursor by `hours`; an open drill-down follows it to the new hour.
    package mutating func stepAuditHour(by hours: Int) {
        self.moveAuditCursor(byHours: hours)
        guard self.view.auditDrillDown != nil else { return }
        self.view.auditDrillDown = self.selectedAuditMap?.spot(self.view.auditCursor)?.start
        self.view.auditDrillScroll = 0
    }

    /// Opens the hour under the cursor full-screen, if the selected peer has a report.
    mutating func openAuditDrillDown() {
        guard let spot = self.selectedAuditMap?.spot(self.view.auditCursor) else { return }
        self.view.auditCursor = spot.start
        self.view.auditDrillDown = spot.start
        self.view.auditDrillScroll = 0
    }

    /// Keys inside the audit drill-down: rows and pages scroll, Enter/Esc close (the arrows that
    /// switch panes go to the hour before or after, see ``Dashboard/handle(_:at:)``). Returns whether the action was one of those.
    mutating func applyInAuditDrillDown(_ action: Action) -> Bool {
        guard self.view.auditDrillDown != nil else { return false }
        guard let map = self.selectedAuditMap, let spot = map.spot(self.view.auditDrillDown) else {
            self.view.auditDrillDown = nil
            return false
        }
        let lines = AuditDrillDownView.lines(spot.detail).count
        let scroll = self.view.auditDrillScroll
        switch action {
        case .drillDown, .back:
            self.view.auditDrillDown = nil
            return true
        case .moveUp: self.view.auditDrillScroll = scroll - 1
        case .moveDown: self.view.auditDrillScroll = scroll + 1
        case .pageUp: self.view.auditDrillScroll = scroll - Self.pageLength
        case .pageDown: self.view.auditDrillScroll = scroll + Self.pageLength
        case .top: self.view.auditDrillScroll = 0
        case .bottom: self.view.auditDrillScroll = lines
        default: return false
        }
        self.view.auditDrillScroll = min(max(0, self.view.auditDrillScroll), max(0, lines - 1))
        return true
    }

    /// The log line of a finished audit: outcome, hashes missing each side, round trips.
    static func summary(of report: AuditReport) -> (Notice.Severity, String) {
        let trips = "\(Format.count(report.roundTrips)) round trip\(report.roundTrips == 1 ? "" : "s")"
        let missing =
            "missing here \(Format.count(report.missingHereCount)), there \(Format.count(report.missingThereCount))"
        let detail = report.detail.map { ": \($0)" } ?? ""
        switch report.outcome {
        case .consistent:
            let span = Format.span(from: report.from, to: report.to)
            return (.info, "archive audit: consistent over \(span) (\(report.method.rawValue), \(trips))")
        case .differences:
            return (.warning, "archive audit: differences, \(missing) (\(report.method.rawValue), \(trips))")
        case .repaired:
            let repair = report.repair ?? AuditRepair()
            return (
                .info,
                "archive audit repaired: \(missing); fetched \(Format.count(repair.fetched)), "
                    + "pushed \(Format.count(repair.pushed)) (\(trips))"
            )
        case .incomplete:
            return (.warning, "archive audit incomplete\(detail); \(missing) so far (\(trips))")
        case .notSupported:
            return (.warning, "archive audit: the peer speaks neither the audit protocol nor Store v3")
        case .failed:
            return (.warning, "archive audit failed\(detail)")
        }
    }
}
