import Testing
import WakuCore

@testable import WakuNode

@Suite("The hashes an audit answer keeps between requests")
struct AuditHashCacheTests {
    static func hash(_ byte: UInt8) -> MessageHash {
        try! MessageHash(bytes: [UInt8](repeating: byte, count: 32))
    }

    @Test("minutes that were read are answered, empty ones included; any other minute is a miss")
    func lookup() {
        let kept = [60: [Self.hash(1), Self.hash(2)], 180: [Self.hash(3)]] as [Int64: [MessageHash]]
        let cache = AuditHashCache(minutes: [60, 120, 180], hashes: kept, bytes: 0)
        #expect(cache.lookup([60, 120]) == [60: [Self.hash(1), Self.hash(2)]])
        #expect(cache.lookup([180, 60]) == kept)
        #expect(cache.lookup([60, 240]) == nil)
        #expect(AuditHashCache().lookup([60]) == nil)
        #expect(AuditHashCache().lookup([]) == [:])
    }

    @Test("what is kept is charged per hash and per minute")
    func cost() {
        let kept = [60: [Self.hash(1), Self.hash(2)], 180: [Self.hash(3)]] as [Int64: [MessageHash]]
        #expect(AuditHashCache.cost(minutes: 3, hashes: kept) == 3 * 64 + 3 * MemoryLayout<MessageHash>.stride)
    }

    @Test("a reservation that would leave less than the room asked for is refused and takes nothing")
    func reservationLeavesRoom() throws {
        let budget = ByteBudget("test", limit: 100)
        try budget.reserve(50, leaving: 40)
        #expect(throws: BudgetExceeded.self) { try budget.reserve(20, leaving: 40) }
        #expect(budget.reserved == 50)
        try budget.reserve(50)
        #expect(budget.reserved == 100)
    }
}
