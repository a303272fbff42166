internal import ArgumentParser
internal import WakuCore

/// `wakusync inspect hash`: the deterministic message hash of a message (PROTOCOLS.md §1.2).
struct InspectHash: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash",
        abstract: "Print the 64-hex-digit message hash of a message.",
        discussion: "Negative timestamps are written as --timestamp=-5."
    )

    @Option(help: "Pubsub topic the message is stored on, e.g. /waku/2/rs/1/0.")
    var pubsubTopic: String

    @Option(help: "Content topic.")
    var contentTopic: String

    @Option(help: "Payload as hex (may be empty).")
    var payloadHex: String

    @Option(help: "Meta attribute as hex (absent and empty hash the same).")
    var metaHex: String = ""

    @Option(help: "Timestamp in nanoseconds (an absent timestamp hashes as 0).")
    var timestamp: Int64 = 0

    func run() throws {
        let message = WakuMessage(
            payload: try Self.hex(self.payloadHex, "--payload-hex"),
            contentTopic: self.contentTopic,
            timestamp: self.timestamp,
            meta: try Self.hex(self.metaHex, "--meta-hex")
        )
        print(message.hash(pubsubTopic: self.pubsubTopic).hex)
    }

    static func hex(_ text: String, _ option: String) throws -> [UInt8] {
        do {
            return try Hex.decode(text)
        } catch {
            throw ValidationError("\(option): \(error.detail)")
        }
    }
}
