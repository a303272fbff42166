internal import Foundation
internal import Logging
internal import WakuArchive
internal import WakuNode

/// The nodes the node and relay benches run: on 127.0.0.1 (port 0), without scheduled sync, their
/// data under the bench's scratch directory, logging nowhere.
enum LoopbackNode {
    static let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A node named `name` with its data in `base/name`; `listen: false` for one that only dials.
    static func make(
        _ name: String,
        in base: URL,
        listen: Bool = true,
        relay: Bool = false,
        archive: Archive? = nil,
        servesAudit: Bool = true
    ) throws -> WakuNode {
        var configuration = NodeConfiguration(
            name: name,
            dataDirectory: base.appendingPathComponent(name).path,
            agentVersion: "wakusync/bench"
        )
        configuration.listenAddresses = listen ? ["/ip4/127.0.0.1/tcp/0"] : []
        configuration.syncInterval = .zero
        configuration.relay = relay
        configuration.servesArchiveAudit = servesAudit
        return try WakuNode(configuration: configuration, archive: archive, logger: Self.logger)
    }
}
