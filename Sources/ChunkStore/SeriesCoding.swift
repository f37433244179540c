import Telemetry

/// How a series identity is written inside chunk and head files (never in a file name):
/// `site str | charger str | evse i32 | connector i32 | measurand str | phase str ("" for none) | location str`,
/// each string a u16 length and UTF-8 bytes.
enum SeriesCoding {
    static func append(_ series: Series, to bytes: inout [UInt8]) {
        bytes.appendString(series.site)
        bytes.appendString(series.charger)
        bytes.appendLE(Int32(clamping: series.evse))
        bytes.appendLE(Int32(clamping: series.connector))
        bytes.appendString(series.measurand.rawValue)
        bytes.appendString(series.phase?.rawValue ?? "")
        bytes.appendString(series.location.rawValue)
    }

    enum Failure: Error { case truncated, unknown(String) }

    static func read(_ reader: inout ByteReader) throws(Failure) -> Series {
        do {
            let site = try reader.readString()
            let charger = try reader.readString()
            let evse = Int(try reader.read(Int32.self))
            let connector = Int(try reader.read(Int32.self))
            let measurandName = try reader.readString()
            let phaseName = try reader.readString()
            let locationName = try reader.readString()
            guard let measurand = Measurand(rawValue: measurandName) else { throw Failure.unknown("measurand '\(measurandName)'") }
            let phase: Phase?
            if phaseName.isEmpty {
                phase = nil
            } else {
                guard let parsed = Phase(rawValue: phaseName) else { throw Failure.unknown("phase '\(phaseName)'") }
                phase = parsed
            }
            guard let location = Location(rawValue: locationName) else { throw Failure.unknown("location '\(locationName)'") }
            return Series(site: site, charger: charger, evse: evse, connector: connector, measurand: measurand,
                          phase: phase, location: location)
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .truncated
        }
    }
}
