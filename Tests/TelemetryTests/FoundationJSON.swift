import Foundation
import JSONTape
import Telemetry

/// The reference side of the differential test: a JSON tree built by Foundation's `JSONSerialization`, read
/// through the same `JSONView` protocol the fast tape implements.
///
/// Foundation loses two things the tape keeps, and the comparison allows for exactly these: the order of object
/// members (restored here from their first position in the text, which decides only which of several problems is
/// reported first) and the text of JSON numbers ("12.3450" arrives as the Double 12.345, so a reading's `decimals`
/// can differ for numbers written with trailing zeros or exponents).
indirect enum FoundationJSON: JSONView {
    case object([(key: [UInt8], value: FoundationJSON)])
    case array([FoundationJSON])
    case string([UInt8])
    case number([UInt8])
    case bool(Bool)
    case null

    /// Parses `bytes` the plain way; refuses with the same reasons the fast path uses for unparsable payloads.
    static func parse(_ bytes: [UInt8]) -> Result<FoundationJSON, DecodeError> {
        guard String(validating: bytes, as: UTF8.self) != nil else {
            return .failure(DecodeError(.invalidUTF8, path: "", "payload is not valid UTF-8"))
        }
        if hasTrailingComma(bytes) {
            // RFC 8259 forbids trailing commas; JSONSerialization on Linux accepts them, the tape does not.
            return .failure(DecodeError(.malformedJSON, path: "", "trailing comma"))
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            // JSONSerialization refuses valid JSON numbers beyond a Double's range ("1e999"); the tape accepts the
            // JSON and the decoder then judges the value. Those cases cannot be compared.
            if "\(error)".contains("not representable") { return .failure(Self.unrepresentable) }
            return .failure(DecodeError(.malformedJSON, path: "", "not valid JSON (JSONSerialization)"))
        }
        let text = String(decoding: bytes, as: UTF8.self)
        return .success(convert(object, text: text))
    }

    /// Marks a payload Foundation cannot represent, which the differential test skips.
    static let unrepresentable = DecodeError(.impossibleValue, path: "<foundation>", "number not representable")

    /// True when a `,` is followed (after whitespace) by `]` or `}` outside strings.
    static func hasTrailingComma(_ bytes: [UInt8]) -> Bool {
        var inString = false
        var escaped = false
        var afterComma = false
        for byte in bytes {
            if inString {
                if escaped { escaped = false } else if byte == 0x5C { escaped = true } else if byte == 0x22 { inString = false }
                continue
            }
            switch byte {
            case 0x22: inString = true; afterComma = false
            case 0x2C: afterComma = true
            case 0x20, 0x09, 0x0A, 0x0D: break
            case 0x5D, 0x7D: if afterComma { return true }
            default: afterComma = false
            }
        }
        return false
    }

    static func convert(_ value: Any, text: String) -> FoundationJSON {
        switch value {
        case let dictionary as [String: Any]:
            let ordered = dictionary.keys.sorted { a, b in position(of: a, in: text) < position(of: b, in: text) }
            return .object(ordered.map { (Array($0.utf8), convert(dictionary[$0]!, text: text)) })
        case let array as [Any]:
            return .array(array.map { convert($0, text: text) })
        case let string as String:
            return .string(Array(string.utf8))
        case let decimal as NSDecimalNumber:
            return .number(Array(decimal.description.utf8))
        case let number as NSNumber:
            switch String(cString: number.objCType) {
            case "c", "B": return .bool(number.boolValue)
            case "d", "f": return .number(Array("\(number.doubleValue)".utf8))
            case "Q": return .number(Array("\(number.uint64Value)".utf8))
            default: return .number(Array("\(number.int64Value)".utf8))
            }
        default:
            return .null
        }
    }

    static func position(of key: String, in text: String) -> Int {
        let escaped = String(data: try! JSONSerialization.data(withJSONObject: key, options: [.fragmentsAllowed]),
                             encoding: .utf8) ?? key
        guard let range = text.range(of: escaped) else { return Int.max }
        return text.distance(from: text.startIndex, to: range.lowerBound)
    }

    var kind: JSONKind {
        switch self {
        case .object: .object
        case .array: .array
        case .string: .string
        case .number: .number
        case .bool(let b): b ? .true : .false
        case .null: .null
        }
    }

    func forEachMember<E: Error>(_ body: (UnsafeBufferPointer<UInt8>, FoundationJSON) throws(E) -> Void) throws(E) {
        guard case .object(let members) = self else { return }
        for (key, value) in members {
            let result: Result<Void, E> = key.withUnsafeBufferPointer { buffer in
                do throws(E) { try body(buffer, value); return .success(()) } catch { return .failure(error) }
            }
            try result.get()
        }
    }

    func forEachElement<E: Error>(_ body: (Int, FoundationJSON) throws(E) -> Void) throws(E) {
        guard case .array(let elements) = self else { return }
        for (index, element) in elements.enumerated() { try body(index, element) }
    }

    var elementCount: Int {
        if case .array(let elements) = self { return elements.count }
        return 0
    }

    func withStringBytes<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R? {
        guard case .string(let bytes) = self else { return nil }
        let result: Result<R, E> = bytes.withUnsafeBufferPointer { buffer in
            do throws(E) { return .success(try body(buffer)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    func withNumberBytes<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R? {
        guard case .number(let bytes) = self else { return nil }
        let result: Result<R, E> = bytes.withUnsafeBufferPointer { buffer in
            do throws(E) { return .success(try body(buffer)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }
}
