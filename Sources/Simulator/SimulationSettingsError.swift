/// A simulation setting out of range; the message names the setting and what was expected.
public enum SimulationSettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    case chargerCount(Int)
    case siteCount(Int, chargerCount: Int)
    case duration(Int64)
    case speed(Double)
    case interval(name: String, milliseconds: Int64)
    case faultRate(Double)

    public var description: String {
        switch self {
        case .chargerCount(let count):
            "charger count \(count) is out of range (expected 1...\(SimulationSettings.maxChargers))"
        case .siteCount(let count, let chargers):
            "site count \(count) is out of range (expected 1...\(chargers), at most one site per charger)"
        case .duration(let ms):
            "duration \(ms) ms is negative"
        case .speed(let speed):
            "speed \(speed) must be a positive factor (1 = real time, .infinity = as fast as possible)"
        case .interval(let name, let ms):
            "\(name) \(ms) ms is too short (expected at least 1000 ms)"
        case .faultRate(let rate):
            "fault rate \(rate) must be a finite number of faults per charger per hour, 0 or more (e.g. 0.2)"
        }
    }
}
