internal import ArgumentParser
internal import Foundation
internal import Libp2p
internal import WakuCore
internal import WakuNode

/// `wakusync publish --peer ADDR …`: one message through Waku Relay via one peer.
struct PublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Publish one message through Waku Relay via a peer and print its message hash.",
        discussion: """
            Dials --peer with a throw-away identity and data directory, waits until the peer has \
            subscribed to the pubsub topic (at most --timeout seconds), publishes the message (stamped \
            now unless --timestamp is given) and prints its message hash. The payload is --payload text, \
            --payload-hex bytes, or standard input when the argument is -. The cluster is read from the \
            pubsub topic (/waku/2/rs/<cluster>/<shard>), else --cluster-id. Exit status: 0 published; \
            1 the peer could not be reached or the publish failed; 2 the peer did not subscribe to the \
            topic in time (relay off there, or another topic); 64 bad arguments.
            """
    )

    @Option(help: ArgumentHelp("The relay peer to publish through.", valueName: "MULTIADDR"))
    var peer: String

    @Option(help: "The pubsub topic, e.g. /waku/2/rs/0/0.")
    var pubsubTopic: String

    @Option(help: "The message's content topic.")
    var contentTopic: String

    @Option(help: "The payload as text.")
    var payload: String?

    @Option(help: "The payload as hex digits.")
    var payloadHex: String?

    @Argument(help: ArgumentHelp("- to read the payload from standard input.", valueName: "-"))
    var input: String?

    @Option(help: "The message timestamp in nanoseconds (default: now).")
    var timestamp: Int64?

    @Flag(help: "Mark the message ephemeral: relayed, never stored.")
    var ephemeral = false

    @Option(help: "Cluster id when the pubsub topic does not name one.")
    var clusterID: UInt16 = 0

    @Option(help: "Seconds to wait for the peer to subscribe to the topic.")
    var timeout: Double = 10

    @Option(help: ArgumentHelp("The peer's --max-msg-size: the largest RPC frame sent.", valueName: "SIZE"))
    var maxMsgSize = "150KiB"

    func validate() throws {
        do { _ = try Multiaddr(parsing: self.peer) } catch {
            throw ValidationError("--peer '\(self.peer)': \(error.detail)")
        }
        let sources = [self.payload != nil, self.payloadHex != nil, self.input != nil].filter { $0 }.count
        guard sources == 1 else {
            throw ValidationError("give exactly one of --payload TEXT, --payload-hex HEX or - (standard input)")
        }
        if let input = self.input, input != "-" {
            throw ValidationError("unexpected argument '\(input)'; use - to read the payload from standard input")
        }
        if let hex = self.payloadHex {
            do { _ = try Hex.decode(hex) } catch { throw ValidationError("--payload-hex: \(error.detail)") }
        }
        guard !self.pubsubTopic.isEmpty, !self.contentTopic.isEmpty else {
            throw ValidationError("--pubsub-topic and --content-topic must not be empty")
        }
        guard self.timeout > 0, self.timeout < 3_600 else { throw ValidationError("--timeout must be 0…3600 s") }
        guard let size = MessageSize.bytes(self.maxMsgSize), size >= 1_024, size <= 64 << 20 else {
            throw ValidationError("--max-msg-size '\(self.maxMsgSize)': expected a size from 1KiB to 64MiB")
        }
    }

    func run() async throws {
        let message = try self.message()
        let topic = self.pubsubTopic
        let address = self.peer
        let wait = Duration.seconds(self.timeout)
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("wakusync-publish-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var options = try NodeOptions.parse([])
        options.dataDir = try DataDirOptions.parse(["--data-dir", directory.path])
        let cluster = (try? StaticShard(pubsubTopic: topic))?.cluster ?? self.clusterID
        let maxSize = MessageSize.bytes(self.maxMsgSize) ?? MessageLimits.maxMessageSize
        let outcome = try await OneShotNode.with(
            options,
            configure: { configuration in
                configuration.relay = true
                configuration.clusterID = cluster
                configuration.pubsubTopics = [topic]
                configuration.maxMessageSize = maxSize
            },
            { node -> Result<MessageHash, PublishError> in
                let peer = try await node.connect(to: address)
                guard await node.waitForRelayPeer(on: topic, timeout: wait),
                    node.relayPeers(subscribedTo: topic).contains(peer)
                else { return .failure(.notSubscribed) }
                let hash = try await node.relayPublish(message, on: topic)
                guard await node.closeRelayStreams(timeout: .seconds(5)) else { return .failure(.notSent) }
                return .success(hash)
            }
        )
        switch outcome {
        case .success(let hash):
            print(hash.hex)
        case .failure(.notSubscribed):
            StandardStreams.write(
                "error: \(address) did not subscribe to \(topic) through relay within \(self.timeout) s\n",
                to: .standardError
            )
            throw ExitCode(2)
        case .failure(.notSent):
            throw CommandFailure("\(address) did not confirm reading the message within 5 s (it may still have it)")
        }
    }

    private enum PublishError: Error {
        case notSubscribed
        case notSent
    }

    private func message() throws -> WakuMessage {
        let payload: [UInt8]
        if let text = self.payload {
            payload = Array(text.utf8)
        } else if let hex = self.payloadHex {
            payload = try Hex.decode(hex)
        } else {
            payload = Array(FileHandle.standardInput.readDataToEndOfFile())
        }
        var message = WakuMessage(
            payload: payload,
            contentTopic: self.contentTopic,
            timestamp: self.timestamp ?? Int64(Date().timeIntervalSince1970 * 1e9)
        )
        message.ephemeral = self.ephemeral
        return message
    }
}
