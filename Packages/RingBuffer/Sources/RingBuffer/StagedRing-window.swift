extension StagedRing {
    /// A run of consecutive slots lent to the producer (by a claim) or to a stage (by a read), in sequence order.
    ///
    /// A window that crosses the end of the slot array comes in two parts, `first` then `second`; the subscript
    /// and iteration hide the split, and the parts are there for bulk copies. The slots are the caller's alone
    /// until it publishes or commits: the producer writes them, a stage reads them and may change them in place
    /// for the stages after it. A window is not `Sendable`: it stays on the thread that owns it, and is dead once
    /// published or committed.
    ///
    /// The producer's window points at slots that may never have been written: write every slot you publish.
    @frozen
    public struct Window: RandomAccessCollection, MutableCollection {
        /// The sequence number of element 0: 0 for the first element the ring ever carried, counting up by one.
        public let sequence: Int

        /// The slots up to the end of the slot array.
        public let first: UnsafeMutableBufferPointer<Element>

        /// The slots from the start of the slot array, when the window wraps; otherwise empty.
        public let second: UnsafeMutableBufferPointer<Element>

        @inlinable
        internal init(sequence: Int, first: UnsafeMutableBufferPointer<Element>,
                      second: UnsafeMutableBufferPointer<Element>) {
            self.sequence = sequence
            self.first = first
            self.second = second
        }

        @inlinable public var startIndex: Int { 0 }
        @inlinable public var endIndex: Int { first.count &+ second.count }
        @inlinable public var count: Int { first.count &+ second.count }
        @inlinable public func index(after i: Int) -> Int { i &+ 1 }
        @inlinable public func index(before i: Int) -> Int { i &- 1 }

        /// Element `position` of the window (0 is the one at `sequence`).
        @inlinable
        public subscript(position: Int) -> Element {
            get {
                precondition(UInt(bitPattern: position) < UInt(bitPattern: count), "index \(position) outside a window of \(count)")
                let split = first.count
                return position < split ? first[position] : second[position &- split]
            }
            nonmutating set {
                precondition(UInt(bitPattern: position) < UInt(bitPattern: count), "index \(position) outside a window of \(count)")
                let split = first.count
                if position < split { first[position] = newValue } else { second[position &- split] = newValue }
            }
        }
    }
}
