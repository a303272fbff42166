internal import Libp2p
internal import NodeEvents
internal import WakuArchive
internal import WakuCore

/// The node's driving loops: the sync schedule, index pruning, retention, the last-online record,
/// static-peer dials, pings and the host's peer events. Every wait is on the node's injected clock.
struct NodeLoops: Sendable {
    let node: WakuNode

    /// Every sync interval, reconciles with one random eligible peer (PROTOCOLS.md §6.3); the
    /// first sync runs one interval after start.
    func syncPeriodically() async {
        await self.syncPeriodically(on: self.node.clock)
    }

    /// Deadlines are absolute (start + k × interval), so the schedule neither drifts nor skips a
    /// beat when one sync takes long. Each deadline moves by up to 5 % of the interval at random,
    /// so nodes started together do not all reach for each other at the same instant (two peers
    /// starting sessions with each other at once would refuse each other: one session per peer).
    private func syncPeriodically<C: Clock<Duration>>(on clock: C) async {
        let interval = self.node.configuration.syncInterval
        var base = clock.now.advanced(by: interval)
        while !Task.isCancelled {
            let jitter = Duration.nanoseconds(Int64(Double((interval / 20).nanoseconds) * self.node.randomFraction()))
            let deadline = base.advanced(by: jitter)
            self.node.events.emit(.nextSync(at: self.node.now() + clock.now.duration(to: deadline).nanoseconds))
            do { try await clock.sleep(until: deadline, tolerance: nil) } catch { return }
            base = base.advanced(by: interval)
            let candidates = await self.node.peers.syncCandidates(busy: await self.node.engine.busyPeers)
            if let peer = self.node.pick(candidates) {
                self.node.workSink.yield(.sync(peer))
            }
        }
    }

    /// Every sync interval, offset by half an interval from the sync loop, drops index items older
    /// than the sync range.
    func pruneIndexPeriodically() async {
        await self.pruneIndexPeriodically(on: self.node.clock)
    }

    private func pruneIndexPeriodically<C: Clock<Duration>>(on clock: C) async {
        let interval = self.node.configuration.syncInterval
        var deadline = clock.now.advanced(by: interval / 2)
        while !Task.isCancelled {
            do { try await clock.sleep(until: deadline, tolerance: nil) } catch { return }
            deadline = deadline.advanced(by: interval)
            _ = await self.node.engine.prune()
        }
    }

    /// Applies the retention policy every 30 minutes, as nwaku does.
    func applyRetentionPeriodically(_ text: String) async {
        let policy: RetentionPolicy
        do {
            policy = try RetentionPolicy(parsing: text)
        } catch {
            self.node.events.emit(.notice(Notice(.error, "retention policy '\(text)' is invalid: \(error)")))
            return
        }
        while !Task.isCancelled {
            await self.node.engine.applyRetention(policy, description: text)
            do { try await self.node.clock.sleep(for: RetentionPolicy.interval) } catch { return }
        }
    }

    /// Records the last-online time every minute, for Store Resume after a restart.
    func recordOnlineEveryMinute() async {
        while !Task.isCancelled {
            do { try await self.node.clock.sleep(for: Archive.lastOnlineInterval) } catch { return }
            do {
                try await self.node.archive.recordOnline(at: self.node.now())
            } catch {
                self.node.events.emit(.notice(Notice(.error, "recording the last-online time failed: \(error)")))
            }
        }
    }

    /// Turns host events into peer state, and asks every new peer for its Waku metadata.
    func followHostEvents() async {
        await withDiscardingTaskGroup { group in
            for await event in self.node.host.events {
                if case .connected(let peer, _, let direction) = event {
                    group.addTask { await self.node.metadata.exchange(with: peer) }
                    if let relay = self.node.relay {
                        group.addTask { await relay.serve(peer, direction: direction) }
                    }
                }
                await self.apply(event)
            }
        }
    }

    private func apply(_ event: HostEvent) async {
        let peers = self.node.peers
        switch event {
        case .connected(let peer, let address, let direction):
            await peers.connected(peer, address: address, direction: direction)
        case .identified(let peer, let identify):
            await peers.change(peer) {
                $0.protocols = identify.protocols.sorted()
                $0.agentVersion = identify.agentVersion
            }
        case .identifyFailed(let peer, let error):
            await peers.change(peer) { $0.lastError = "identify failed: \(error.detail)" }
        case .disconnected(let peer, let reason):
            await peers.disconnected(peer, reason: reason.detail, at: self.node.now())
            await self.node.transfer.forget(peer)
            self.node.relay?.forget(peer)
        }
    }

    /// Dials static peers when due, with exponential backoff after failures. A static peer given
    /// without `/p2p/<id>` is dialled without an identity check once, with a warning, and pinned
    /// to the identity it shows then.
    func maintainStaticPeers() async {
        for address in self.node.configuration.staticPeers {
            guard let parsed = try? Multiaddr(parsing: address) else {
                self.node.events.emit(.notice(Notice(.error, "static peer '\(address)' is not a multiaddr; ignored")))
                continue
            }
            if parsed.peerID == nil {
                self.node.events.emit(
                    .notice(
                        Notice(
                            .warning,
                            "static peer \(address) has no /p2p/<peer id>: whoever answers there first is trusted "
                                + "and pinned; add the peer ID to check it"
                        )
                    )
                )
            }
            if let peer = parsed.peerID { self.node.host.protect(peer) }
            await self.node.peers.addStatic(parsed)
        }
        while !Task.isCancelled {
            for address in await self.node.peers.dueDials(at: self.node.now()) {
                await self.node.dialStatic(address)
            }
            do { try await self.node.clock.sleep(for: .milliseconds(500)) } catch { return }
        }
    }

    /// Pings connected peers every 10 s for the RTT column.
    func pingPeers() async {
        while !Task.isCancelled {
            for peer in await self.node.host.connectedPeers {
                if let rtt = try? await self.node.host.ping(peer, timeout: .seconds(5)) {
                    await self.node.peers.change(peer) { $0.roundTripTime = rtt }
                }
            }
            do { try await self.node.clock.sleep(for: .seconds(10)) } catch { return }
        }
    }
}
