/// Labels of the simulator's random streams (`SimulationRandom(seed:stream:)`), so each purpose draws its own
/// numbers and a change to one never shifts another.
enum RandomStream {
    static let fleet: UInt64 = 1
    static let backEnd: UInt64 = 2
    static let link: UInt64 = 3
    static let sessions: UInt64 = 4
    static let meter: UInt64 = 5
    static let drivers: UInt64 = 6
    static let charger: UInt64 = 7
    static let faults: UInt64 = 8
}
