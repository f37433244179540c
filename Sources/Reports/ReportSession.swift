import Foundation
import Processing
import Telemetry

/// A session as the reports read it: where, when, how much, and its price as exact decimals.
public struct ReportSession: Sendable, Equatable {
    /// The priced figures of a session (cost columns of `sessions`), in its currency's major unit.
    public struct Price: Sendable, Equatable {
        public var currency: String
        public var tariffId: String?
        public var energy: Decimal
        public var time: Decimal
        public var parking: Decimal
        public var flat: Decimal
        public var exclVAT: Decimal
        public var vat: Decimal
        /// Including VAT.
        public var total: Decimal

        public init(currency: String, tariffId: String? = nil, energy: Decimal = 0, time: Decimal = 0, parking: Decimal = 0,
                    flat: Decimal = 0, exclVAT: Decimal, vat: Decimal, total: Decimal) {
            self.currency = currency
            self.tariffId = tariffId
            self.energy = energy
            self.time = time
            self.parking = parking
            self.flat = flat
            self.exclVAT = exclVAT
            self.vat = vat
            self.total = total
        }
    }

    public var id: String
    public var site: String
    public var charger: String
    public var evse: Int
    public var connector: Int
    /// `open`, `closed` or `finalized`.
    public var state: String
    /// ms UTC.
    public var startedAt: Int64
    public var endedAt: Int64?
    public var unpluggedAt: Int64?
    public var energyWh: Double
    public var chargingSeconds: Double
    public var idleSeconds: Double
    public var idTag: String?
    public var transactionId: String?
    /// `priced`, `running`, `no_tariff`, `failed`, or nil (not priced yet).
    public var costStatus: String?
    /// Set when `cost_status` is `priced`.
    public var price: Price?
    public var signedBegin: String?
    public var signedEnd: String?

    public init(id: String, site: String, charger: String, evse: Int, connector: Int = 1, state: String = "finalized",
                startedAt: Int64, endedAt: Int64? = nil, unpluggedAt: Int64? = nil, energyWh: Double = 0,
                chargingSeconds: Double = 0, idleSeconds: Double = 0, idTag: String? = nil, transactionId: String? = nil,
                costStatus: String? = nil, price: Price? = nil, signedBegin: String? = nil, signedEnd: String? = nil) {
        self.id = id
        self.site = site
        self.charger = charger
        self.evse = evse
        self.connector = connector
        self.state = state
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.unpluggedAt = unpluggedAt
        self.energyWh = energyWh
        self.chargingSeconds = chargingSeconds
        self.idleSeconds = idleSeconds
        self.idTag = idTag
        self.transactionId = transactionId
        self.costStatus = costStatus
        self.price = price
        self.signedBegin = signedBegin
        self.signedEnd = signedEnd
    }

    /// Reads a `sessions` row; money columns must be exact decimal text when the session is priced.
    public init(_ row: SessionRow) throws(ReportError) {
        let id = row.id
        func time(_ column: String) throws(ReportError) -> Int64? {
            guard let text = row.row.text(column) else { return nil }
            do { return try Timestamp.parse(text) } catch { throw .malformedTime(table: "sessions", id: id, column: column, text: text) }
        }
        guard let started = try time("started_at") else {
            throw .malformedTime(table: "sessions", id: id, column: "started_at", text: "")
        }
        let status = row.row.text("cost_status")
        var price: Price?
        // A running cost (open sessions) is not read: reports count money of priced sessions only.
        if status == "priced" {
            func amount(_ column: String, required: Bool) throws(ReportError) -> Decimal {
                guard let text = row.row.text(column) else {
                    if required { throw .missingFigure(session: id, column: column) }
                    return 0
                }
                guard let value = AmountText.parse(text) else { throw .malformedAmount(session: id, column: column, text: text) }
                return value
            }
            guard let currency = row.row.text("currency"), !currency.isEmpty else { throw .missingFigure(session: id, column: "currency") }
            price = Price(
                currency: currency, tariffId: row.row.text("tariff_id"),
                energy: try amount("cost_energy", required: false), time: try amount("cost_time", required: false),
                parking: try amount("cost_parking", required: false), flat: try amount("cost_flat", required: false),
                exclVAT: try amount("cost_excl_vat", required: true), vat: try amount("vat", required: true),
                total: try amount("cost_total", required: true))
        }
        self.init(
            id: id, site: row.site, charger: row.charger, evse: row.evse, connector: row.connector, state: row.state,
            startedAt: started, endedAt: try time("ended_at"), unpluggedAt: try time("unplugged_at"),
            energyWh: row.energyWh ?? 0, chargingSeconds: row.chargingSeconds, idleSeconds: row.idleSeconds,
            idTag: row.row.text("id_tag"), transactionId: row.row.text("transaction_id"), costStatus: status, price: price,
            signedBegin: row.row.text("signed_begin"), signedEnd: row.row.text("signed_end"))
    }

    /// The EVSE the session ran on.
    public var evseKey: EVSEKey { EVSEKey(charger: charger, evse: evse) }

    /// When the bay was freed: unplug, else the end, else start + charging + idle time.
    public var occupiedUntil: Int64 {
        unpluggedAt ?? endedAt ?? startedAt + Int64(((chargingSeconds + idleSeconds) * 1000).rounded())
    }
}

/// One EVSE of one charger: the unit utilisation and uptime are measured on (one car at a time, whatever the
/// number of connectors).
public struct EVSEKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var charger: String
    public var evse: Int

    public init(charger: String, evse: Int) {
        self.charger = charger
        self.evse = evse
    }

    public static func < (a: EVSEKey, b: EVSEKey) -> Bool { (a.charger, a.evse) < (b.charger, b.evse) }
    public var description: String { "\(charger)/\(evse)" }
}
