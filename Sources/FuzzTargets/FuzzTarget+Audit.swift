internal import WakuCore
internal import WakuSync

extension FuzzTarget {
    /// `audit-frame`: an archive-audit request or answer as it arrives from a peer (PROTOCOLS.md
    /// §12.3). Byte 0 picks which (even: request, odd: answer); the rest is the frame, decoded under
    /// the standard limits. Checked: what decodes encodes to bytes that decode to the same value,
    /// and no count goes past its limit.
    static func auditFrame(_ input: [UInt8]) {
        guard let selector = input.first else { return }
        let frame = Array(input.dropFirst())
        let limits = AuditLimits.standard
        if selector & 1 == 0 {
            guard let request = try? AuditRequest(decoding: frame, limits: limits) else { return }
            Self.checkLimits(request, limits)
            let again = try? AuditRequest(decoding: request.encoded(), limits: limits)
            invariant(again == request, "a decoded audit request does not survive encoding: \(request)")
        } else {
            guard let response = try? AuditResponse(decoding: frame, limits: limits) else { return }
            let again = try? AuditResponse(decoding: response.encoded(), limits: limits)
            invariant(again == response, "a decoded audit answer does not survive encoding")
        }
    }

    private static func checkLimits(_ request: AuditRequest, _ limits: AuditLimits) {
        switch request {
        case .children(let level, let parents):
            invariant(level != .day && parents.count <= limits.parents, "children request past its limits")
        case .slices(let minutes): invariant(minutes.count <= limits.minutes, "slices request past its limit")
        case .prefixes(let keys):
            invariant(
                keys.count <= limits.slices && keys.allSatisfy { $0.nibble < 16 },
                "prefixes request past its limits"
            )
        case .fetch(let keys): invariant(keys.count <= limits.fetchKeys, "fetch request past its limit")
        case .days, .push: break
        }
    }
}
