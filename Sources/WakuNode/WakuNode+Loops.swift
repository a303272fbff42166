internal import Libp2p
internal import NodeEvents
internal import WakuArchive
internal import WakuCore

extension WakuNode {
    /// Every sync interval, reconciles with one random eligible peer (PROTOCOLS.md §6.3); the
    /// first sync runs one interval after start.
    func syncPeriodically() async {
        await self.syncPeriodically(on: self.clock)
    }

    /// Deadlines are absolute (start + k × interval), so the schedule neither drifts nor skips a
    /// beat when one sync takes long. Each deadline moves by up to 5 % of the interval at random,
    /// so nodes started together do not all reach for each other at the same instant (two peers
    /// starting sessions with each other at once would refuse each other: one session per peer).
    private func syncPeriodically<C: Clock<Duration>>(on clock: C) async {
        let interval = self.configuration.syncInterval
        var base = clock.now.advanced(by: interval)
        while !Task.isCancelled {
            let deadline = base.advanced(by: self.jitter(upTo: interval / 20))
            self.events.emit(.nextSync(at: self.now() + clock.now.duration(to: deadline).nanoseconds))
            do { try await clock.sleep(until: deadline, tolerance: nil) } catch { return }
            base = base.advanced(by: interval)
            let candidates = PeerChoice.eligible(await self.peers.snapshots, busy: await self.engine.busyPeers)
            if let peer = self.pick(candidates.map(\.peerID)) {
                self.workSink.yield(.sync(peerID: peer))
            }
        }
    }

    /// A random duration in `0..<limit`, from the node's generator.
    private func jitter(upTo limit: Duration) -> Duration {
        guard limit > .zero else { return .zero }
        return .nanoseconds(Int64(Double(limit.nanoseconds) * self.randomFraction()))
    }

    /// Every sync interval, offset by half an interval from the sync loop, drops index items older
    /// than the sync range.
    func pruneIndexPeriodically() async {
        await self.pruneIndexPeriodically(on: self.clock)
    }

    private func pruneIndexPeriodically<C: Clock<Duration>>(on clock: C) async {
        let interval = self.configuration.syncInterval
        var deadline = clock.now.advanced(by: interval / 2)
        while !Task.isCancelled {
            do { try await clock.sleep(until: deadline, tolerance: nil) } catch { return }
            deadline = deadline.advanced(by: interval)
            _ = await self.engine.prune()
        }
    }

    /// Applies the retention policy every 30 minutes (a minute after a failure), as nwaku does.
    func applyRetentionPeriodically(_ text: String) async {
        let policy: RetentionPolicy
        do {
            policy = try RetentionPolicy(parsing: text)
        } catch {
            self.events.emit(.notice(Notice(.error, "retention policy '\(text)' is invalid: \(error)")))
            return
        }
        while !Task.isCancelled {
            await self.engine.applyRetention(policy, description: text)
            do { try await self.clock.sleep(for: RetentionPolicy.interval) } catch { return }
        }
    }

    /// Records the last-online time every minute, for Store Resume after a restart.
    func recordOnlineEveryMinute() async {
        while !Task.isCancelled {
            do { try await self.clock.sleep(for: Archive.lastOnlineInterval) } catch { return }
            do {
                try await self.archive.recordOnline(at: self.now())
            } catch {
                self.events.emit(.notice(Notice(.error, "recording the last-online time failed: \(error)")))
            }
        }
    }

    /// Every second, fetches by Store what did not arrive by transfer within the grace period
    /// (`--store-sync-fetch both`), or gives up on it (`transfer`).
    func fetchMissing() async {
        while !Task.isCancelled {
            do { try await self.clock.sleep(for: .seconds(1)) } catch { return }
            for peer in await self.engine.peersWithPendingMessages {
                guard let peerID = try? PeerID(parsing: peer) else { continue }
                switch self.configuration.fetchMode {
                case .both, .store:
                    await self.fetch(from: peerID, grace: self.configuration.fetchGrace)
                case .transfer:
                    for batch in await self.engine.dueForFetch(from: peer, grace: self.configuration.fetchGrace) {
                        await self.engine.markUnavailable(batch, from: peer)
                    }
                }
            }
        }
    }
}
