import Recording
import Telemetry

extension FleetSimulation {
    /// Writes the stream to a fixture file (docs/fixture-format.md), optionally only the messages `include` keeps,
    /// and returns how many were written. The caller closes the writer.
    @discardableResult
    public func record(to writer: FixtureWriter,
                       where include: (InboundMessage) -> Bool = { _ in true }) throws(FixtureError) -> Int {
        var written = 0
        for message in self where include(message) {
            try writer.write(message)
            written += 1
        }
        return written
    }
}
