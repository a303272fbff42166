internal import ArgumentParser
internal import Libp2p
internal import NIOCore
internal import NIOPosix

/// `wakusync bench transport`: two libp2p hosts on loopback, Noise + yamux, measuring one-stream
/// throughput, small request/response round trips and connection set-up (PERFORMANCE.md).
struct BenchTransport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transport",
        abstract: "Measure libp2p throughput, round trips and connection set-up over loopback."
    )

    @Flag(help: "Print the figures as JSON.")
    var json = false

    @Option(help: "MiB sent on one stream for the throughput figure.")
    var megabytes = 512

    @Option(help: "Request/response round trips.")
    var roundTrips = 20_000

    @Option(help: "Connections set up for the set-up figure.")
    var connections = 200

    private static let sinkProtocol = "/wakusync/bench/sink/1.0.0"
    private static let echoProtocol = "/wakusync/bench/echo/1.0.0"

    func run() async throws {
        let (client, server) = try Self.makeHosts()
        let report = try await withThrowingTaskGroup(of: Void.self) { group in
            _ = try await client.start()
            let serverAddress = try await server.start()[0]
            group.addTask { try await client.run() }
            group.addTask { try await server.run() }
            defer { group.cancelAll() }
            do {
                let report = try await self.measure(client: client, server: server, address: serverAddress)
                await client.shutdown()
                await server.shutdown()
                return report
            } catch {
                await client.shutdown()
                await server.shutdown()
                throw error
            }
        }
        print(self.json ? report.json : report.table)
        if !report.isCorrect { throw ExitCode.failure }
    }

    private func measure(client: Libp2pHost, server: Libp2pHost, address: Multiaddr) async throws -> Report {
        let peer = try await client.dial(address, timeout: .seconds(5))
        let clock = ContinuousClock()

        // Throughput: one stream, 1 MiB writes; the sink answers with the byte count and SHA-256.
        let chunk = ByteBuffer(bytes: (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        var expectedSum = Checksum()
        for _ in 0..<self.megabytes { expectedSum.add(chunk) }
        let sink = try await client.openStream(to: peer, protocolID: Self.sinkProtocol)
        let throughputStart = clock.now
        for _ in 0..<self.megabytes { try await sink.write(chunk) }
        try await sink.closeWrite()
        let summary = try await sink.readMessage(timeout: .seconds(120)) ?? []
        let throughputTime = clock.now - throughputStart
        await sink.close()
        let expected = Array("\(self.megabytes << 20):\(expectedSum.value)".utf8)
        let bytesCorrect = summary == expected

        // Round trips: 32-byte requests echoed on one stream, one at a time.
        let echo = try await client.openStream(to: peer, protocolID: Self.echoProtocol)
        var echoCorrect = true
        let request = [UInt8](repeating: 7, count: 32)
        let roundTripStart = clock.now
        for index in 0..<self.roundTrips {
            var message = request
            message[0] = UInt8(truncatingIfNeeded: index)
            try await echo.writeMessage(message)
            let answer = try await echo.readMessage(timeout: .seconds(10))
            if answer != message { echoCorrect = false }
        }
        let roundTripTime = clock.now - roundTripStart
        await echo.close()

        // Connection set-up: TCP + multistream + Noise XX + yamux, a fresh connection each time.
        await client.disconnect(peer)
        var setUps: [Duration] = []
        for _ in 0..<self.connections {
            let start = clock.now
            _ = try await client.dial(address, timeout: .seconds(5))
            setUps.append(clock.now - start)
            await client.disconnect(peer)
        }
        setUps.sort()

        return Report(
            megabytesPerSecond: Double(self.megabytes) * 1.048_576 / throughputTime.seconds,
            roundTripsPerSecond: Double(self.roundTrips) / roundTripTime.seconds,
            setUpMedianMilliseconds: setUps[setUps.count / 2].seconds * 1000,
            setUpP90Milliseconds: setUps[setUps.count * 9 / 10].seconds * 1000,
            bytesCorrect: bytesCorrect,
            echoCorrect: echoCorrect
        )
    }

    private static func makeHosts() throws -> (Libp2pHost, Libp2pHost) {
        let configuration = HostConfiguration(agentVersion: "wakusync/\(WakusyncVersion.current)")
        let listen = try Multiaddr(parsing: "/ip4/127.0.0.1/tcp/0")
        let client = try Libp2pHost(
            key: try PrivateKey.generate(.secp256k1),
            listenAddresses: [listen],
            configuration: configuration,
            group: MultiThreadedEventLoopGroup.singleton
        )
        let server = try Libp2pHost(
            key: try PrivateKey.generate(.secp256k1),
            listenAddresses: [listen],
            configuration: configuration,
            group: MultiThreadedEventLoopGroup.singleton
        )
        server.register(protocolID: Self.sinkProtocol) { stream in
            var count = 0
            var sum = Checksum()
            while let bytes = try await stream.read(maximumLength: 1 << 20) {
                count += bytes.readableBytes
                sum.add(bytes)
            }
            try await stream.writeMessage(Array("\(count):\(sum.value)".utf8))
        }
        server.register(protocolID: Self.echoProtocol) { stream in
            while let message = try await stream.readMessage() { try await stream.writeMessage(message) }
        }
        return (client, server)
    }
}

/// Fletcher-style checksum: catches lost, duplicated and reordered bytes at memory speed.
private struct Checksum {
    private var first: UInt64 = 0
    private var second: UInt64 = 0

    var value: String { "\(self.first)-\(self.second)" }

    mutating func add(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { bytes in
            for byte in bytes {
                self.first &+= UInt64(byte)
                self.second &+= self.first
            }
        }
    }
}

/// The figures of one run.
private struct Report {
    var megabytesPerSecond: Double
    var roundTripsPerSecond: Double
    var setUpMedianMilliseconds: Double
    var setUpP90Milliseconds: Double
    var bytesCorrect: Bool
    var echoCorrect: Bool

    var isCorrect: Bool { self.bytesCorrect && self.echoCorrect }

    var table: String {
        """
        libp2p transport over loopback (Noise XX + yamux, one stream)
          throughput           \(Self.format(self.megabytesPerSecond)) MB/s      (target >= 200)
          round trips          \(Self.format(self.roundTripsPerSecond)) /s        (target >= 10000)
          connection set-up    \(Self.format(self.setUpMedianMilliseconds)) ms median, \
        \(Self.format(self.setUpP90Milliseconds)) ms p90 (target <= 5)
          correctness          \(self.isCorrect ? "ok" : "FAILED") (bytes \(self.bytesCorrect ? "ok" : "wrong"), \
        echoes \(self.echoCorrect ? "ok" : "wrong"))
        """
    }

    var json: String {
        """
        {"throughput_mb_per_s":\(Self.format(self.megabytesPerSecond)),\
        "round_trips_per_s":\(Self.format(self.roundTripsPerSecond)),\
        "setup_ms_median":\(Self.format(self.setUpMedianMilliseconds)),\
        "setup_ms_p90":\(Self.format(self.setUpP90Milliseconds)),\
        "correct":\(self.isCorrect)}
        """
    }

    private static func format(_ value: Double) -> String {
        String(Double(Int((value * 100).rounded())) / 100)
    }
}

extension Duration {
    fileprivate var seconds: Double {
        Double(self.components.seconds) + Double(self.components.attoseconds) / 1e18
    }
}
