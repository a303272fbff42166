/// A first-in first-out queue with amortised O(1) removal from the front.
///
/// The caches need only append, peek and pop at the front; an array with a moving head does that
/// without a dependency.
struct FIFOQueue<Element> {
    private var storage: [Element] = []
    private var head = 0

    var count: Int { self.storage.count - self.head }
    var isEmpty: Bool { self.head >= self.storage.count }
    var first: Element? { self.isEmpty ? nil : self.storage[self.head] }

    mutating func append(_ element: Element) {
        self.storage.append(element)
    }

    mutating func popFirst() -> Element? {
        guard !self.isEmpty else { return nil }
        let element = self.storage[self.head]
        self.head += 1
        // Compact once the dead prefix outweighs the live part, so memory follows `count`.
        if self.head >= 64 && self.head * 2 >= self.storage.count {
            self.storage.removeFirst(self.head)
            self.head = 0
        }
        return element
    }

    /// The live elements, oldest first.
    var elements: ArraySlice<Element> { self.storage[self.head...] }
}

extension FIFOQueue: Sendable where Element: Sendable {}
