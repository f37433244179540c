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

extension FleetSimulation {
    /// Writes the whole stream to a fixture file and returns how many messages were written with the ground truth
    /// (`GroundTruth`: sessions and faults as they really were). The caller closes the writer.
    public func recordWithGroundTruth(to writer: FixtureWriter) throws(FixtureError) -> (count: Int, truth: GroundTruth) {
        var iterator = makeIterator()
        var written = 0
        while let message = iterator.next() {
            try writer.write(message)
            written += 1
        }
        return (written, iterator.groundTruth)
    }
}
