/// A unit as a charger labels it, and how to bring values into the canonical unit of its dimension.
public struct MeterUnit: Sendable, Equatable {
    public var dimension: Dimension
    /// Power of ten to the canonical unit (kWh → Wh: 3).
    public var decimalShift: Int32
    /// A non-decimal conversion (temperatures), applied after the decimal shift.
    public var conversion: Conversion

    public enum Conversion: Sendable, Equatable {
        case none, fahrenheitToCelsius, kelvinToCelsius
    }

    public init(_ dimension: Dimension, shift: Int32 = 0, conversion: Conversion = .none) {
        self.dimension = dimension
        self.decimalShift = shift
        self.conversion = conversion
    }

    /// The OCPP unit names (1.6 `unit`, 2.0.1 `unitOfMeasure.unit`), including the schema's own misspelling
    /// "Celcius". Returns nil for a unit Wattline does not know.
    @inlinable
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> MeterUnit? {
        switch bytes.count {
        case 1:
            switch bytes[0] {
            case UInt8(ascii: "W"): return MeterUnit(.activePower)
            case UInt8(ascii: "A"): return MeterUnit(.current)
            case UInt8(ascii: "V"): return MeterUnit(.voltage)
            case UInt8(ascii: "K"): return MeterUnit(.temperature, conversion: .kelvinToCelsius)
            case UInt8(ascii: "%"): return MeterUnit(.percent)
            default: return nil
            }
        case 2:
            if key(bytes, is: "Wh") { return MeterUnit(.activeEnergy) }
            if key(bytes, is: "kW") { return MeterUnit(.activePower, shift: 3) }
            if key(bytes, is: "VA") { return MeterUnit(.apparentPower) }
            if key(bytes, is: "Hz") { return MeterUnit(.frequency) }
            return nil
        default:
            break
        }
        if key(bytes, is: "kWh") { return MeterUnit(.activeEnergy, shift: 3) }
        if key(bytes, is: "MWh") { return MeterUnit(.activeEnergy, shift: 6) }
        if key(bytes, is: "varh") { return MeterUnit(.reactiveEnergy) }
        if key(bytes, is: "kvarh") { return MeterUnit(.reactiveEnergy, shift: 3) }
        if key(bytes, is: "VAh") { return MeterUnit(.apparentEnergy) }
        if key(bytes, is: "kVAh") { return MeterUnit(.apparentEnergy, shift: 3) }
        if key(bytes, is: "var") { return MeterUnit(.reactivePower) }
        if key(bytes, is: "kvar") { return MeterUnit(.reactivePower, shift: 3) }
        if key(bytes, is: "kVA") { return MeterUnit(.apparentPower, shift: 3) }
        if key(bytes, is: "Percent") { return MeterUnit(.percent) }
        if key(bytes, is: "Celsius") || key(bytes, is: "Celcius") { return MeterUnit(.temperature) }
        if key(bytes, is: "Fahrenheit") { return MeterUnit(.temperature, conversion: .fahrenheitToCelsius) }
        if key(bytes, is: "Hertz") { return MeterUnit(.frequency) }
        if key(bytes, is: "°C") { return MeterUnit(.temperature) }
        if key(bytes, is: "RPM") || key(bytes, is: "rpm") { return MeterUnit(.rotation) }
        return nil
    }

    /// The canonical unit of a dimension, used when a sampled value names none.
    public static func canonical(_ dimension: Dimension) -> MeterUnit { MeterUnit(dimension) }

    /// Converts decimal text in this unit (with an extra power of ten, OCPP 2.0.1's `multiplier`) to the
    /// canonical unit. Returns the value and its decimal digits.
    @inlinable
    public func normalize(_ text: DecimalText, multiplier: Int32 = 0) -> (value: Double, decimals: Int16) {
        let shift = decimalShift + multiplier
        let value = text.scaled(by: shift)
        let decimals = text.decimals(scaledBy: shift)
        switch conversion {
        case .none:
            return (value, decimals)
        case .fahrenheitToCelsius:
            return ((value - 32) * 5 / 9, max(decimals, 1))
        case .kelvinToCelsius:
            return (value - 273.15, max(decimals, 2))
        }
    }
}
