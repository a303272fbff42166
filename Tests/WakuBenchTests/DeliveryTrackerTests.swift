import Testing

@testable import WakuBench

@Suite("Relay delivery tracking")
struct DeliveryTrackerTests {
    @Test("an expected id counts once, at its first arrival; unknown ids are ignored")
    func arrivals() {
        let tracker = DeliveryTracker()
        tracker.expect([[1], [2], [3]])
        let first = ContinuousClock.now
        tracker.delivered([2], at: first)
        tracker.delivered([2], at: first + .seconds(1))
        tracker.delivered([9], at: first)
        #expect(tracker.count == 1)
        #expect(tracker.arrivals() == [nil, first, nil])
    }

    @Test("an id that shares its first eight bytes with an expected one is not taken for it")
    func prefixCollision() {
        let expected = [UInt8](repeating: 7, count: 32)
        var impostor = expected
        impostor[20] = 8
        let tracker = DeliveryTracker()
        tracker.expect([expected])
        tracker.delivered(impostor, at: .now)
        #expect(tracker.count == 0)
        tracker.delivered(expected, at: .now)
        #expect(tracker.count == 1)
    }

    @Test("expecting new ids forgets the earlier ones")
    func reset() {
        let tracker = DeliveryTracker()
        tracker.expect([[1]])
        tracker.delivered([1], at: .now)
        tracker.expect([[4], [5]])
        tracker.delivered([1], at: .now)
        #expect(tracker.count == 0)
        #expect(tracker.arrivals().count == 2)
    }
}
