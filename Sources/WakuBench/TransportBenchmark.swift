internal import Libp2p
internal import NIOCore
internal import NIOPosix

/// Two libp2p hosts on loopback, Noise + yamux (`wakusync bench transport`): one-stream
/// throughput, small request/response round trips and connection set-up (PERFORMANCE.md).
package struct TransportBenchmark {
    private static let sinkProtocol = "/wakusync/bench/sink/1.0.0"
    private static let echoProtocol = "/wakusync/bench/echo/1.0.0"

    /// MiB sent on one stream for the throughput figure.
    package var megabytes: Int
    /// Request/response round trips.
    package var roundTrips: Int
    /// Connections set up for the set-up figure.
    package var connections: Int
    /// What both hosts announce in identify.
    package var agentVersion: String

    /// A run with these counts.
    package init(megabytes: Int, roundTrips: Int, connections: Int, agentVersion: String) {
        self.megabytes = megabytes
        self.roundTrips = roundTrips
        self.connections = connections
        self.agentVersion = agentVersion
    }

    /// Starts both hosts, measures, and shuts them down.
    package func run() async throws -> Report {
        let (client, server) = try self.makeHosts()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            _ = try await client.start()
            let serverAddress = try await server.start()[0]
            group.addTask { try await client.run() }
            group.addTask { try await server.run() }
            defer { group.cancelAll() }
            do {
                let report = try await self.measure(client: client, address: serverAddress)
                await client.shutdown()
                await server.shutdown()
                return report
            } catch {
                await client.shutdown()
                await server.shutdown()
                throw error
            }
        }
    }

    private func measure(client: Libp2pHost, address: Multiaddr) async throws -> Report {
        let peer = try await client.dial(address, timeout: .seconds(5))
        let clock = ContinuousClock()

        // Throughput: one stream, 1 MiB writes; the sink answers with the byte count and checksum.
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
        let setUp = SortedSamples(setUps)

        return Report(
            megabytesPerSecond: Double(self.megabytes) * 1.048_576 / throughputTime.seconds,
            roundTripsPerSecond: Double(self.roundTrips) / roundTripTime.seconds,
            setUpMedianMilliseconds: (setUp.median ?? .zero).milliseconds,
            setUpP90Milliseconds: (setUp.percentile(0.9) ?? .zero).milliseconds,
            bytesCorrect: bytesCorrect,
            echoCorrect: echoCorrect
        )
    }

    private func makeHosts() throws -> (Libp2pHost, Libp2pHost) {
        let configuration = HostConfiguration(agentVersion: self.agentVersion)
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
