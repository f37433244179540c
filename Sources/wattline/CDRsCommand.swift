import ArgumentParser
import Billing
import Foundation
import Pipeline
import Processing
import Reports
import Telemetry

/// `wattline cdrs`: OCPI 2.2.1 charge detail records of the finalized, priced sessions, from the append-only ledger.
struct CDRsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cdrs",
        abstract: "Export OCPI 2.2.1 charge detail records of finalized, priced sessions (the cdrs ledger in DATA/wattline.db).",
        discussion: """
            Sessions started in [--from, --to). A session gets its CDR on its first export; the ledger keeps the \
            body, and every later export prints it unchanged. When a session's figures (times, periods, volumes, \
            costs) no longer match its CDR, a credit record (negated costs, credit: true, credit_reference_id) and a re-issued CDR (id SESSION-rN) are \
            added. ocpi prints a JSON array of CDR objects as stored, in issue order; csv one line per record. The \
            location comes from the fleet: sites need ocpi, address and coordinates. Rules: docs/reports.md.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case ocpi, csv
    }

    @OptionGroup var archive: ArchiveOptions

    @Option(help: "Sessions started at or after this time.")
    var from: Instant?

    @Option(help: "Sessions started before this time.")
    var to: Instant?

    @Option(help: "ocpi (a JSON array of CDR objects) or csv.")
    var format: Format = .ocpi

    func validate() throws {
        if let from, let to, from.milliseconds >= to.milliseconds { throw ValidationError("--from must be before --to") }
    }

    func run() throws {
        let pipeline = try archive.definition(command: "cdrs")
        let tariffs: TariffCatalog
        do {
            tariffs = try pipeline.map(TariffCatalog.read) ?? TariffCatalog()
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
        let builder = CDRBuilder(fleet: pipeline?.fleet ?? Fleet(), tariffs: tariffs)
        let results = try archive.openResults(command: "cdrs")
        let sessions = try reporting("cdrs") { () throws(ReportError) in
            try ReportSource.sessions(results, from: from?.milliseconds, to: to?.milliseconds)
        }
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        let outcome = try reporting("cdrs") { () throws(ReportError) in
            let ledger = try CDRLedger(path: results.path)
            defer { ledger.close() }
            return try CDRExporter.export(sessions: sessions, ledger: ledger, builder: builder, now: now)
        }
        var out = StandardOutput()
        switch format {
        case .ocpi:
            out.write("[")
            for (index, record) in outcome.records.enumerated() {
                out.write(record.body + (index < outcome.records.count - 1 ? "," : ""))
            }
            out.write("]")
        case .csv:
            out.write("id,kind,session_id,replaces,issued_at,start_date_time,end_date_time,location,evse_uid,currency," +
                      "total_excl_vat,total_incl_vat,total_energy_kwh,total_time_h,total_parking_time_h")
            for record in outcome.records { out.write(try Self.csvLine(record)) }
        }
        out.flush()
        for refusal in outcome.refused { printError("wattline cdrs: \(refusal)") }
        printError("wattline cdrs: \(outcome.records.count) records (\(outcome.issued) issued now, "
                   + "\(outcome.corrected) corrected with a credit and a re-issue)")
    }

    static func csvLine(_ record: CDRLedger.Entry) throws -> String {
        let body: JSONValue
        do {
            body = try JSONValue.parse(record.body)
        } catch {
            printError("wattline cdrs: \(ReportError.corruptLedger(id: record.id, reason: error.description))")
            throw ExitCode(1)
        }
        let cost = body["total_cost"]
        let fields = [
            record.id, record.kind.rawValue, record.sessionId, record.replaces ?? "", Timestamp.format(record.issuedAt),
            body["start_date_time"]?.stringValue ?? "", body["end_date_time"]?.stringValue ?? "",
            body["cdr_location"]?["id"]?.stringValue ?? "", body["cdr_location"]?["evse_uid"]?.stringValue ?? "",
            record.currency, cost?["excl_vat"]?.numberText ?? "", cost?["incl_vat"]?.numberText ?? "",
            body["total_energy"]?.numberText ?? "", body["total_time"]?.numberText ?? "",
            body["total_parking_time"]?.numberText ?? "",
        ]
        return fields.map(SampleText.csvField).joined(separator: ",")
    }
}
