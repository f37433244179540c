/// RFC 3339 timestamps to and from milliseconds since the Unix epoch (UTC), without Foundation.
public enum Timestamp {
    /// Why a timestamp was refused.
    public enum Failure: Error, Sendable, Equatable {
        /// Not an RFC 3339 date-time, or a field out of range.
        case malformed
        /// A valid local date-time without `Z` or an offset: its instant is unknown.
        case missingZone
    }

    /// Parses `2026-11-21T12:00:00Z`, `…:00.123456+01:00`, `…:00-0500`; fractions are truncated to milliseconds.
    @inlinable
    public static func parse(_ b: UnsafeBufferPointer<UInt8>) throws(Failure) -> Int64 {
        let n = b.count
        guard n >= 19 else { throw .malformed }
        @inline(__always) func digit(_ k: Int) throws(Failure) -> Int64 {
            let c = b[k]
            guard c >= 0x30 && c <= 0x39 else { throw .malformed }
            return Int64(c - 0x30)
        }
        @inline(__always) func number(_ k: Int, _ count: Int) throws(Failure) -> Int64 {
            var v: Int64 = 0
            for j in k..<(k + count) { v = v * 10 + (try digit(j)) }
            return v
        }
        let year = try number(0, 4)
        guard b[4] == UInt8(ascii: "-") else { throw .malformed }
        let month = try number(5, 2)
        guard b[7] == UInt8(ascii: "-") else { throw .malformed }
        let day = try number(8, 2)
        let separator = b[10]
        guard separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == 0x20 else {
            throw .malformed
        }
        let hour = try number(11, 2)
        guard b[13] == UInt8(ascii: ":") else { throw .malformed }
        let minute = try number(14, 2)
        guard b[16] == UInt8(ascii: ":") else { throw .malformed }
        let second = try number(17, 2)
        guard month >= 1 && month <= 12, day >= 1, day <= daysInMonth(year: year, month: month),
              hour <= 23, minute <= 59, second <= 60 else { throw .malformed }
        var i = 19
        var millis: Int64 = 0
        if i < n && (b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",")) {
            i += 1
            let start = i
            while i < n && b[i] >= 0x30 && b[i] <= 0x39 {
                if i - start < 3 { millis = millis * 10 + Int64(b[i] - 0x30) }
                i += 1
            }
            guard i > start else { throw .malformed }
            for _ in 0..<max(0, 3 - (i - start)) { millis *= 10 }
        }
        guard i < n else { throw .missingZone }
        var offsetMinutes: Int64 = 0
        let zone = b[i]
        if zone == UInt8(ascii: "Z") || zone == UInt8(ascii: "z") {
            i += 1
        } else if zone == UInt8(ascii: "+") || zone == UInt8(ascii: "-") {
            i += 1
            guard i + 2 <= n else { throw .malformed }
            let oh = try number(i, 2)
            i += 2
            var om: Int64 = 0
            if i < n && b[i] == UInt8(ascii: ":") { i += 1 }
            if i + 2 <= n {
                om = try number(i, 2)
                i += 2
            }
            guard oh <= 23 && om <= 59 else { throw .malformed }
            offsetMinutes = (oh * 60 + om) * (zone == UInt8(ascii: "-") ? -1 : 1)
        } else {
            throw .malformed
        }
        guard i == n else { throw .malformed }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60
        return seconds * 1000 + millis
    }

    /// Parses a timestamp given as a Swift string.
    public static func parse(_ text: String) throws(Failure) -> Int64 {
        var copy = text
        let result: Result<Int64, Failure> = copy.withUTF8 { bytes in
            do throws(Failure) { return .success(try parse(bytes)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Formats milliseconds as `2026-11-21T12:00:00.123Z` (always three fraction digits).
    public static func format(_ milliseconds: Int64) -> String {
        var seconds = milliseconds / 1000
        var millis = milliseconds % 1000
        if millis < 0 {
            millis += 1000
            seconds -= 1
        }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = civilFromDays(days)
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):"
            + "\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(millis, 3))Z"
    }

    @inlinable
    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    @inlinable
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}
