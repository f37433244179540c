/// The value column: every `Double` bit pattern back exactly (NaN payloads, -0.0, infinities, subnormals).
///
/// Meter readings are decimals of few digits (230.4 V, 16.02 A, 7368 W, a Wh register), which Gorilla's XOR of
/// consecutive bit patterns handles poorly: two nearby decimals share the sign, exponent and a few mantissa bits, and
/// the rest of the mantissa looks random, so Gorilla spends 20-40 bits a value. ALP (Afroozeh et al., SIGMOD 2024)
/// instead finds a decimal exponent `e` per block such that `value == Double(d) / 10^e` for integers `d`, and
/// stores the integers: what then remains is the reading's real information (noise, or a register's increments).
///
/// - `constant`: all bit patterns equal (idle connectors: power 0, a frozen register): 8 bytes for the block.
/// - `decimal`: `e` (from a sample of 32 values, the smallest exponent that fits the most of them; then trailing
///   zeros common to every integer are moved into a negative `e`), the integers transformed by whichever of
///   frame-of-reference, delta (monotonic registers) or delta-of-delta packs smallest, then `PackedIntegers`.
///   Values that do not round-trip through `e` (NaN, ±inf, -0.0, 0.1 + 0.2, more digits than the rest) are
///   exceptions: their positions and raw 8-byte patterns follow, and their slots repeat the previous integer so
///   they cost no width.
/// - `xor`: Chimp (Liakos et al., VLDB 2022), Gorilla's XOR with better leading/trailing-zero codes, chosen when
///   more than 1 in 8 values are exceptions and it is smaller.
/// - `raw`: 8 bytes a value when even that is smaller (random bit patterns).
///
/// Decoding uses division by an exact power of ten (or multiplication for negative `e`), which IEEE 754 rounds
/// correctly; the encoder checks every value with the very same expression, so a value stored as an integer is,
/// by construction, decoded to its own bit pattern.
enum ValueColumn {
    /// 2^52 + 2^51: adding it to |x| < 2^51 leaves round(x) in the low mantissa bits (ALP's fast rounding).
    static let roundingMagic: Double = 6_755_399_441_055_744.0
    /// The largest |value × 10^e| the decimal encoding takes: integers stay exact and the rounding trick holds.
    static let decimalLimit: Double = 0x1p51
    static let sampleSize = 32
    static let maximumSearchExponent = 18

    /// `value` as an integer at `scale` = 10^e (e ≥ 0), or nil when it does not round-trip bit for bit.
    @inline(__always)
    static func decimal(_ value: Double, scale: Double) -> Int64? {
        let scaled = value * scale
        guard abs(scaled) < decimalLimit else { return nil }
        let integer = Int64(bitPattern: (scaled + roundingMagic).bitPattern) &- Int64(bitPattern: roundingMagic.bitPattern)
        return (Double(integer) / scale).bitPattern == value.bitPattern ? integer : nil
    }

    /// The exponent that lets the most values of an evenly spread sample round-trip, the smallest such.
    static func chooseExponent(_ v: UnsafeBufferPointer<Double>) -> Int {
        let n = v.count
        let samples = min(n, sampleSize)
        let stride = n / samples
        var possible = 0
        for k in 0..<samples {
            let value = v[k * stride]
            if value.isFinite && !(value == 0 && value.sign == .minus) { possible += 1 }
        }
        var bestExponent = 0
        var bestHits = -1
        for exponent in 0...maximumSearchExponent {
            let scale = BlockFormat.powersOfTen[exponent]
            var hits = 0
            for k in 0..<samples where decimal(v[k * stride], scale: scale) != nil { hits += 1 }
            if hits > bestHits {
                bestHits = hits
                bestExponent = exponent
            }
            if hits == possible { break }
        }
        return bestExponent
    }

    static func encode(_ v: UnsafeBufferPointer<Double>, integers: UnsafeMutableBufferPointer<Int64>,
                       scratch: UnsafeMutableBufferPointer<UInt64>, best: UnsafeMutableBufferPointer<UInt64>,
                       into output: inout [UInt8]) {
        let n = v.count
        let first = v[0].bitPattern
        var constant = true
        for value in v where value.bitPattern != first {
            constant = false
            break
        }
        if constant {
            output.append(BlockFormat.ValueEncoding.constant.rawValue)
            output.appendLittleEndian(first)
            return
        }

        var exponent = chooseExponent(v)
        let scale = BlockFormat.powersOfTen[exponent]
        var exceptions: [Int] = []
        var last: Int64? = nil
        for i in 0..<n {
            if let d = decimal(v[i], scale: scale) {
                integers[i] = d
                last = d
            } else {
                integers[i] = last ?? 0
                exceptions.append(i)
            }
        }
        // With more than half the values exceptions, decimals cannot win.
        guard exceptions.count * 2 <= n else {
            output.append(contentsOf: xorOrRaw(v))
            return
        }
        // Leading exceptions repeat the first good integer.
        var leading = 0
        while leading < exceptions.count && exceptions[leading] == leading { leading += 1 }
        if leading > 0 {
            let fill = integers[leading]
            for i in 0..<leading { integers[i] = fill }
        }
        // Trailing zeros shared by every integer become a smaller (possibly negative) exponent: the same rational,
        // so the same correctly rounded double.
        stripping: while exponent > BlockFormat.exponentRange.lowerBound {
            var allZero = true
            for d in integers {
                if d % 10 != 0 { break stripping }
                if d != 0 { allZero = false }
            }
            if allZero { break }
            for i in 0..<n { integers[i] /= 10 }
            exponent -= 1
        }

        let start = output.count
        output.append(BlockFormat.ValueEncoding.decimal.rawValue)
        output.append(UInt8(bitPattern: Int8(exponent)))
        encodeIntegers(UnsafeBufferPointer(integers), scratch: scratch, best: best, into: &output)
        output.appendVarint(UInt64(exceptions.count))
        var previous = -1
        for position in exceptions {
            output.appendVarint(UInt64(position - previous - 1))
            previous = position
        }
        for position in exceptions { output.appendLittleEndian(v[position].bitPattern) }

        if exceptions.count * 8 > n {
            let alternative = xorOrRaw(v)
            if alternative.count < output.count - start {
                output.removeLast(output.count - start)
                output.append(contentsOf: alternative)
            }
        }
    }

    /// The transform byte, its parameters and the packed integers.
    static func encodeIntegers(_ d: UnsafeBufferPointer<Int64>, scratch: UnsafeMutableBufferPointer<UInt64>,
                               best: UnsafeMutableBufferPointer<UInt64>, into output: inout [UInt8]) {
        let n = d.count
        // Frame of reference.
        var minimum = Int64.max
        for x in d { minimum = min(minimum, x) }
        for i in 0..<n { best[i] = UInt64(bitPattern: d[i] &- minimum) }
        var transform = BlockFormat.IntegerTransform.frame
        var chosen = PackedIntegers.chooseWidth(UnsafeBufferPointer(rebasing: best[0..<n]))
        chosen.bits += 8 * varintSize(zigzag(minimum))
        var parameters = (minimum, Int64(0))
        var packedCount = n

        if n >= 2 && chosen.width > 0 {
            // Delta (monotonic energy registers: the increments, which are small where the readings are not).
            var minDelta = Int64.max
            for i in 1..<n { minDelta = min(minDelta, d[i] &- d[i - 1]) }
            for i in 1..<n { scratch[i - 1] = UInt64(bitPattern: (d[i] &- d[i - 1]) &- minDelta) }
            var delta = PackedIntegers.chooseWidth(UnsafeBufferPointer(rebasing: scratch[0..<(n - 1)]))
            delta.bits += 8 * (varintSize(zigzag(d[0])) + varintSize(zigzag(minDelta)))
            if delta.bits < chosen.bits {
                transform = .delta
                chosen = delta
                parameters = (d[0], minDelta)
                packedCount = n - 1
                best.baseAddress!.update(from: scratch.baseAddress!, count: n - 1)
            }
            // Delta of delta (a register under steady power).
            if chosen.width > 0 {
                let firstDelta = d[1] &- d[0]
                var previous = firstDelta
                for i in 2..<n {
                    let step = d[i] &- d[i - 1]
                    scratch[i - 2] = zigzag(step &- previous)
                    previous = step
                }
                var dod = PackedIntegers.chooseWidth(UnsafeBufferPointer(rebasing: scratch[0..<(n - 2)]))
                dod.bits += 8 * (varintSize(zigzag(d[0])) + varintSize(zigzag(firstDelta)))
                if dod.bits < chosen.bits {
                    transform = .deltaOfDelta
                    chosen = dod
                    parameters = (d[0], firstDelta)
                    packedCount = n - 2
                    best.baseAddress!.update(from: scratch.baseAddress!, count: n - 2)
                }
            }
        }
        output.append(transform.rawValue)
        output.appendSignedVarint(parameters.0)
        if transform != .frame { output.appendSignedVarint(parameters.1) }
        PackedIntegers.encode(UnsafeBufferPointer(rebasing: best[0..<packedCount]), width: chosen.width, into: &output)
    }

    /// The Chimp column, or the raw one when that is no larger.
    static func xorOrRaw(_ v: UnsafeBufferPointer<Double>) -> [UInt8] {
        var column: [UInt8] = [BlockFormat.ValueEncoding.xor.rawValue]
        column.append(contentsOf: ChimpXOR.encode(v))
        if column.count > 1 + 8 * v.count {
            column = [BlockFormat.ValueEncoding.raw.rawValue]
            column.reserveCapacity(1 + 8 * v.count)
            for value in v { column.appendLittleEndian(value.bitPattern) }
        }
        return column
    }

    // MARK: - Decoding

    static func decode(_ reader: inout BlockReader, count n: Int, into v: UnsafeMutablePointer<Double>,
                       scratch: UnsafeMutablePointer<UInt64>) throws(BlockDecodingError) {
        let tagAt = reader.offset
        guard let encoding = BlockFormat.ValueEncoding(rawValue: try reader.byte()) else {
            throw BlockDecodingError(.unknownEncoding, at: reader.origin + tagAt)
        }
        switch encoding {
        case .constant:
            let value = Double(bitPattern: try reader.uint64())
            v.update(repeating: value, count: n)
        case .raw:
            guard let source = try reader.bytes(8 * n) else { return }
            for i in 0..<n {
                v[i] = Double(bitPattern: UInt64(littleEndian: source.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))
            }
        case .xor:
            let rest = reader.remaining
            let start = reader.offset
            let base = try reader.bytes(rest)
            try ChimpXOR.decode(base, byteCount: rest, origin: reader.origin + start, count: n, into: v)
        case .decimal:
            try decodeDecimal(&reader, count: n, into: v, scratch: scratch)
        }
    }

    static func decodeDecimal(_ reader: inout BlockReader, count n: Int, into v: UnsafeMutablePointer<Double>,
                              scratch u: UnsafeMutablePointer<UInt64>) throws(BlockDecodingError) {
        let exponentAt = reader.offset
        let exponent = Int(Int8(bitPattern: try reader.byte()))
        guard BlockFormat.exponentRange.contains(exponent) else {
            throw BlockDecodingError(.invalidField, at: reader.origin + exponentAt)
        }
        let transformAt = reader.offset
        guard let transform = BlockFormat.IntegerTransform(rawValue: try reader.byte()) else {
            throw BlockDecodingError(.unknownEncoding, at: reader.origin + transformAt)
        }
        let first = try reader.signedVarint()
        let second = transform == .frame ? 0 : try reader.signedVarint()
        // Rebuild the integers in `u` (as bit patterns of Int64).
        switch transform {
        case .frame:
            try PackedIntegers.decode(&reader, count: n, into: u)
            for i in 0..<n { u[i] = UInt64(bitPattern: first) &+ u[i] }
        case .delta:
            let m = n - 1
            try PackedIntegers.decode(&reader, count: m, into: u + 1)
            u[0] = UInt64(bitPattern: first)
            var previous = UInt64(bitPattern: first)
            let minDelta = UInt64(bitPattern: second)
            for i in 1..<n {
                previous = previous &+ minDelta &+ u[i]
                u[i] = previous
            }
        case .deltaOfDelta:
            let m = max(n - 2, 0)
            try PackedIntegers.decode(&reader, count: m, into: u + min(n, 2))
            u[0] = UInt64(bitPattern: first)
            var delta = second
            if n >= 2 { u[1] = UInt64(bitPattern: first &+ delta) }
            var previous = first &+ delta
            for i in 2..<max(n, 2) {
                delta = delta &+ unzigzag(u[i])
                previous = previous &+ delta
                u[i] = UInt64(bitPattern: previous)
            }
        }
        if exponent >= 0 {
            let scale = BlockFormat.powersOfTen[exponent]
            for i in 0..<n { v[i] = Double(Int64(bitPattern: u[i])) / scale }
        } else {
            let scale = BlockFormat.powersOfTen[-exponent]
            for i in 0..<n { v[i] = Double(Int64(bitPattern: u[i])) * scale }
        }
        let exceptions = try reader.count(atMost: n)
        guard exceptions > 0 else { return }
        // Positions first (validated, kept in `u`, whose integers are no longer needed), then the raw values.
        var position = -1
        for k in 0..<exceptions {
            let at = reader.offset
            let gap = try reader.varint()
            guard gap < UInt64(n - position - 1) else { throw BlockDecodingError(.invalidField, at: reader.origin + at) }
            position += Int(gap) + 1
            u[k] = UInt64(position)
        }
        guard let raw = try reader.bytes(8 * exceptions) else { return }
        for k in 0..<exceptions {
            let bits = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * k, as: UInt64.self))
            v[Int(u[k])] = Double(bitPattern: bits)
        }
    }
}
