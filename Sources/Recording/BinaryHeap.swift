/// A binary min-heap: `FixtureMerge`'s reorder buffers and its choice between files, and the simulator's event
/// queue and reorder buffer.
///
/// Elements that compare equal come out in no particular order, so callers break ties with a sequence number to
/// keep the stream deterministic. Inlinable, so that other modules get it specialized for their element type.
public struct BinaryHeap<Element: Comparable & Sendable>: Sendable {
    @usableFromInline var storage: [Element] = []

    @inlinable public init() {}

    @inlinable public var isEmpty: Bool { storage.isEmpty }
    @inlinable public var count: Int { storage.count }
    /// The smallest element.
    @inlinable public var first: Element? { storage.first }

    @inlinable
    public mutating func push(_ element: Element) {
        storage.append(element)
        var child = storage.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard storage[child] < storage[parent] else { break }
            storage.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the smallest element.
    @inlinable
    public mutating func pop() -> Element? {
        guard !storage.isEmpty else { return nil }
        storage.swapAt(0, storage.count - 1)
        let smallest = storage.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var least = parent
            if left < storage.count && storage[left] < storage[least] { least = left }
            if right < storage.count && storage[right] < storage[least] { least = right }
            if least == parent { break }
            storage.swapAt(parent, least)
            parent = least
        }
        return smallest
    }
}
