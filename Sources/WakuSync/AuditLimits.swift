/// The bounds on every archive audit request and answer (PROTOCOLS.md §12.4, SECURITY.md): a
/// peer that asks for more gets a refusal, one that answers with more is dropped, and neither
/// side ever holds more than a frame plus what the frame names.
package struct AuditLimits: Equatable, Sendable {
    /// Longest span, in days.
    package var days = 400
    /// Parents per children request (hours or days asked about at once).
    package var parents = 2_048
    /// Minutes per slices request.
    package var minutes = 16_384
    /// Slices per prefixes request.
    package var slices = 65_536
    /// Prefixes in one prefixes answer, all slices together.
    package var prefixes = 500_000
    /// Prefixes per fetch request.
    package var fetchKeys = 4_096
    /// Hashes read from the archive to answer one request (a minute cannot hold more and be
    /// listed or sliced honestly within the frame).
    package var itemsRead = 1_000_000
    /// Bytes in one frame, either way.
    package var frameBytes = 8 << 20
    /// Requests on one stream.
    package var requests = 512
    /// A minute with at most this many hashes is listed rather than sliced.
    package var listedMinute = 16

    /// The limits both sides apply unless configured otherwise.
    package static let standard = AuditLimits()

    package init() {}
}
