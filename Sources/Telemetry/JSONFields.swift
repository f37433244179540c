import JSONTape

/// Typed field access for the decoders: each accessor names the field path in its error.
/// Paths are built only when something is wrong (they are autoclosures), so the happy path allocates nothing.
extension JSONView {
    @inlinable
    func expect(_ kind: JSONKind, _ path: @autoclosure () -> String) throws(DecodeError) {
        guard self.kind == kind else {
            throw DecodeError(.wrongType, path: path(), "expected \(kind.name), found \(self.kind.name)")
        }
    }

    /// An integer (a JSON number without fraction or exponent) within `range`.
    @inlinable
    func integer(_ path: @autoclosure () -> String, in range: ClosedRange<Int> = Int.min...Int.max) throws(DecodeError) -> Int {
        guard let parsed = withNumberBytes({ bytes in Self.parseInteger(bytes) }) else {
            throw DecodeError(.wrongType, path: path(), "expected an integer, found \(kind.name)")
        }
        guard let value = parsed else {
            let text = withNumberBytes { String(decoding: $0, as: UTF8.self) } ?? ""
            throw DecodeError(.wrongType, path: path(), "expected an integer, found \(text)")
        }
        guard range.contains(value) else {
            throw DecodeError(.impossibleValue, path: path(), "\(value) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    @inlinable
    static func parseInteger(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        var negative = false
        if bytes.count > 0 && bytes[0] == UInt8(ascii: "-") {
            negative = true
            i = 1
        }
        guard i < bytes.count, bytes.count - i <= 18 else { return nil }
        var value = 0
        while i < bytes.count {
            let c = bytes[i]
            guard c >= 0x30 && c <= 0x39 else { return nil }
            value = value * 10 + Int(c - 0x30)
            i += 1
        }
        return negative ? -value : value
    }

    /// A string value.
    @inlinable
    func text(_ path: @autoclosure () -> String) throws(DecodeError) -> String {
        guard let value = string else {
            throw DecodeError(.wrongType, path: path(), "expected a string, found \(kind.name)")
        }
        return value
    }

    /// A boolean value.
    @inlinable
    func boolean(_ path: @autoclosure () -> String) throws(DecodeError) -> Bool {
        guard let value = boolValue else {
            throw DecodeError(.wrongType, path: path(), "expected a boolean, found \(kind.name)")
        }
        return value
    }

    /// An RFC 3339 timestamp with a zone, in ms UTC.
    @inlinable
    func timestamp(_ path: @autoclosure () -> String) throws(DecodeError) -> Int64 {
        let parsed: Result<Int64, Timestamp.Failure>? = withStringBytes { bytes in
            do throws(Timestamp.Failure) { return .success(try Timestamp.parse(bytes)) } catch { return .failure(error) }
        }
        switch parsed {
        case .success(let ms)?:
            return ms
        case .failure(.missingZone)?:
            throw DecodeError(.timestampWithoutZone, path: path(),
                              "'\(string ?? "")' has no time zone (expected Z or an offset such as +01:00)")
        case .failure(.malformed)?:
            throw DecodeError(.badTimestamp, path: path(), "'\(string ?? "")' is not an RFC 3339 date-time")
        case nil:
            throw DecodeError(.wrongType, path: path(), "expected a timestamp string, found \(kind.name)")
        }
    }

    /// A decimal number, given as a JSON number or (OCPP 1.6 style) as decimal text in a string.
    @inlinable
    func decimal(_ path: @autoclosure () -> String) throws(DecodeError) -> DecimalText {
        let parse: (UnsafeBufferPointer<UInt8>) -> Result<DecimalText, DecimalText.Failure> = { bytes in
            do throws(DecimalText.Failure) { return .success(try DecimalText.parse(bytes)) } catch { return .failure(error) }
        }
        let result = withNumberBytes(parse) ?? withStringBytes(parse)
        switch result {
        case .success(let value)?:
            return value
        case .failure(let failure)?:
            let shown = string.map { "'\($0)'" } ?? withNumberBytes { String(decoding: $0, as: UTF8.self) } ?? ""
            if failure == .nonFinite {
                throw DecodeError(.nonFinite, path: path(), "\(shown) is not a finite number")
            }
            throw DecodeError(.notANumber, path: path(), "\(shown) is not a number")
        case nil:
            throw DecodeError(.wrongType, path: path(), "expected a number, found \(kind.name)")
        }
    }

    /// A string that must be one of an enum's raw values.
    @inlinable
    func enumeration<T: NamedCases>(_ type: T.Type, _ path: @autoclosure () -> String) throws(DecodeError) -> T {
        // The bytes against the case names first (`CaseNames`): no String is made (three per sampled value: phase,
        // location, context). An escaped string is read as text below.
        if let found = withStringBytes({ T.caseNames.match($0) }), let found {
            return found
        }
        let raw = try text(path())
        guard let value = T(rawValue: raw) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw DecodeError(.unknownEnumValue, path: path(), "'\(raw)' is not one of \(allowed)")
        }
        return value
    }
}

/// Key comparison for `forEachMember` loops.
@inlinable
func key(_ bytes: UnsafeBufferPointer<UInt8>, is name: StaticString) -> Bool {
    JSONDecoding.equals(bytes, name)
}

/// Appends a path component to a path prefix.
@inlinable
func join(_ prefix: String, _ component: String) -> String {
    prefix.isEmpty ? component : prefix + "." + component
}

extension DecodeError {
    /// The same error with `prefix` in front of its path.
    @usableFromInline
    func under(_ prefix: String) -> DecodeError {
        var copy = self
        copy.path = path.isEmpty ? prefix : (path.hasPrefix("[") ? prefix + path : prefix + "." + path)
        return copy
    }

    @usableFromInline
    static func missing(_ path: String) -> DecodeError {
        DecodeError(.missingField, path: path, "required field is missing")
    }
}
