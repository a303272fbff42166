/// A bounded hand-over point between a producer and a consumer that takes everything queued at
/// once: while the consumer works on one batch, the next one accumulates. Batching without a
/// timer, and back-pressure when the consumer falls behind.
actor BatchQueue<Element: Sendable> {
    private var items: [Element] = []
    private var isFinished = false
    private var taker: CheckedContinuation<[Element]?, Never>?
    private var waitingForRoom: [CheckedContinuation<Void, Never>] = []
    private var ticket = 0
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// Queues an element, waiting while `limit` elements are already queued.
    func add(_ element: Element) async {
        while self.items.count >= self.limit && !self.isFinished {
            await withCheckedContinuation { self.waitingForRoom.append($0) }
        }
        self.items.append(element)
        if let taker = self.taker {
            self.taker = nil
            taker.resume(returning: self.takeAll())
        }
    }

    /// No more elements will come; the consumer gets what is left, then nil.
    func finish() {
        self.isFinished = true
        if let taker = self.taker {
            self.taker = nil
            taker.resume(returning: self.items.isEmpty ? nil : self.takeAll())
        }
        for waiter in self.waitingForRoom { waiter.resume() }
        self.waitingForRoom.removeAll()
    }

    /// Everything queued, waiting for at least one element; nil once finished and drained.
    func next() async -> [Element]? {
        if !self.items.isEmpty { return self.takeAll() }
        if self.isFinished { return nil }
        return await withCheckedContinuation { self.taker = $0 }
    }

    /// Like ``next()``, but gives up after `timeout` with an empty batch, so the consumer can do
    /// its idle work (report what it accumulated).
    func next(waitingAtMost timeout: Duration) async -> [Element]? {
        if !self.items.isEmpty { return self.takeAll() }
        if self.isFinished { return nil }
        self.ticket += 1
        let ticket = self.ticket
        return await withTaskGroup(of: Void.self) { group in
            // The timer can only run on this actor once the continuation below is registered.
            group.addTask {
                try? await Task.sleep(for: timeout)
                await self.expire(ticket)
            }
            let batch = await withCheckedContinuation { self.taker = $0 }
            group.cancelAll()
            return batch
        }
    }

    private func expire(_ ticket: Int) {
        guard ticket == self.ticket, let taker = self.taker else { return }
        self.taker = nil
        taker.resume(returning: [])
    }

    private func takeAll() -> [Element] {
        let batch = self.items
        self.items = []
        for waiter in self.waitingForRoom { waiter.resume() }
        self.waitingForRoom.removeAll()
        return batch
    }
}
