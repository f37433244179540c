/// The timestamp column: every timestamp after the first (which the block header holds), exactly, for any `Int64`
/// sequence. All arithmetic wraps, so deltas that overflow (Int64.min after Int64.max) still round-trip.
///
/// Three transforms compete per block, each followed by `PackedIntegers`; the smallest wins:
/// - `deltaFrame`: `u = (t[i] - t[i-1]) - minDelta`. Regular intervals give width 0: zero bits a sample.
/// - `linear`: `u = (t[i] - t[0] - i × step) - minResidual`, `step` the rounded mean interval. For readings on a
///   fixed schedule with independent jitter of ±J ms this spans 2J rather than the deltas' 4J: one bit less.
/// - `deltaOfDelta`: `u = zigzag(Δ[i] - Δ[i-1])`, Gorilla's transform, which wins when the interval drifts.
///
/// Layout after the tag byte: deltaFrame: `svarint minDelta`, packed (n - 1); linear: `svarint step`,
/// `svarint minResidual`, packed (n - 1); deltaOfDelta: `svarint firstDelta`, packed (n - 2).
enum TimestampColumn {
    static func encode(_ t: UnsafeBufferPointer<Int64>, scratch: UnsafeMutableBufferPointer<UInt64>,
                       best: UnsafeMutableBufferPointer<UInt64>, into output: inout [UInt8]) {
        let n = t.count
        guard n >= 2 else {
            output.append(BlockFormat.TimestampEncoding.deltaFrame.rawValue)
            output.appendSignedVarint(0)
            PackedIntegers.encode(UnsafeBufferPointer(start: best.baseAddress, count: 0), width: 0, into: &output)
            return
        }
        let m = n - 1

        // deltaFrame
        var minDelta = Int64.max
        for i in 1..<n { minDelta = min(minDelta, t[i] &- t[i - 1]) }
        for i in 1..<n { best[i - 1] = UInt64(bitPattern: (t[i] &- t[i - 1]) &- minDelta) }
        var choice = BlockFormat.TimestampEncoding.deltaFrame
        var chosen = PackedIntegers.chooseWidth(UnsafeBufferPointer(rebasing: best[0..<m]))
        chosen.bits += 8 * varintSize(zigzag(minDelta))
        var parameters = (minDelta, Int64(0))

        if chosen.width > 0 {
            // linear: the step is the rounded mean interval (any step round-trips; this one fits best).
            let span = t[n - 1] &- t[0]
            let divisor = Int64(m)
            let step = span / divisor &+ ((span % divisor) * 2 >= divisor ? 1 : 0)
            var minResidual = Int64.max
            var expected = t[0]
            for i in 1..<n {
                expected = expected &+ step
                minResidual = min(minResidual, t[i] &- expected)
            }
            expected = t[0]
            for i in 1..<n {
                expected = expected &+ step
                scratch[i - 1] = UInt64(bitPattern: (t[i] &- expected) &- minResidual)
            }
            var linear = PackedIntegers.chooseWidth(UnsafeBufferPointer(rebasing: scratch[0..<m]))
            linear.bits += 8 * (varintSize(zigzag(step)) + varintSize(zigzag(minResidual)))
            if linear.bits < chosen.bits {
                choice = .linear
                chosen = linear
                parameters = (step, minResidual)
                best.baseAddress!.update(from: scratch.baseAddress!, count: m)
            }

            // deltaOfDelta
            let firstDelta = t[1] &- t[0]
            var previous = firstDelta
            for i in 2..<n {
                let delta = t[i] &- t[i - 1]
                scratch[i - 2] = zigzag(delta &- previous)
                previous = delta
            }
            var dod = PackedIntegers.chooseWidth(UnsafeBufferPointer(rebasing: scratch[0..<(n - 2)]))
            dod.bits += 8 * varintSize(zigzag(firstDelta))
            if dod.bits < chosen.bits {
                choice = .deltaOfDelta
                chosen = dod
                parameters = (firstDelta, 0)
                best.baseAddress!.update(from: scratch.baseAddress!, count: n - 2)
            }
        }

        output.append(choice.rawValue)
        output.appendSignedVarint(parameters.0)
        let packedCount: Int
        switch choice {
        case .deltaFrame: packedCount = m
        case .linear:
            output.appendSignedVarint(parameters.1)
            packedCount = m
        case .deltaOfDelta: packedCount = n - 2
        }
        PackedIntegers.encode(UnsafeBufferPointer(rebasing: best[0..<packedCount]), width: chosen.width, into: &output)
    }

    /// Decodes timestamps 1 ..< n into `t` (`t[0]`, from the header, is already there). `scratch` holds n values.
    static func decode(_ reader: inout BlockReader, count n: Int, into t: UnsafeMutablePointer<Int64>,
                       scratch: UnsafeMutablePointer<UInt64>) throws(BlockDecodingError) {
        let tagAt = reader.offset
        guard let encoding = BlockFormat.TimestampEncoding(rawValue: try reader.byte()) else {
            throw BlockDecodingError(.unknownEncoding, at: reader.origin + tagAt)
        }
        let first = try reader.signedVarint()
        switch encoding {
        case .deltaFrame:
            let m = max(n - 1, 0)
            try PackedIntegers.decode(&reader, count: m, into: scratch)
            var previous = t[0]
            for i in 0..<m {
                previous = previous &+ first &+ Int64(bitPattern: scratch[i])
                t[i + 1] = previous
            }
        case .linear:
            let minResidual = try reader.signedVarint()
            let m = max(n - 1, 0)
            try PackedIntegers.decode(&reader, count: m, into: scratch)
            var expected = t[0]
            for i in 0..<m {
                expected = expected &+ first
                t[i + 1] = expected &+ minResidual &+ Int64(bitPattern: scratch[i])
            }
        case .deltaOfDelta:
            let m = max(n - 2, 0)
            try PackedIntegers.decode(&reader, count: m, into: scratch)
            if n >= 2 { t[1] = t[0] &+ first }
            var delta = first
            for i in 0..<m {
                delta = delta &+ unzigzag(scratch[i])
                t[i + 2] = t[i + 1] &+ delta
            }
        }
    }
}
