import Foundation

/// `wattline cdrs`: issues a CDR for every finalized, priced session that has none, checks the ones issued before
/// against the session's current figures, and answers with the ledger's records as stored.
///
/// The rule (docs/reports.md): a CDR, once exported, never changes. When a session's figures (times, periods,
/// volumes, costs, signed values) would now read differently, a credit record (the stored CDR with negated costs,
/// `credit: true`, `credit_reference_id`) and a re-issued CDR (`SESSION-rN`) are added, both replacing the stored one; re-exporting returns the stored bodies byte for byte.
public enum CDRExporter {
    /// What one export did.
    public struct Outcome: Sendable, Equatable {
        /// Every ledger record of the sessions asked for, in issue order per session (sessions oldest first).
        public var records: [CDRLedger.Entry] = []
        /// CDRs issued for the first time.
        public var issued = 0
        /// Sessions corrected with a credit and a re-issue.
        public var corrected = 0
        /// Sessions that should have a CDR but cannot (an undeclared site, a location without address...).
        public var refused: [String] = []
    }

    public static func export(sessions: [ReportSession], ledger: CDRLedger, builder: CDRBuilder,
                              now: Int64) throws(ReportError) -> Outcome {
        var outcome = Outcome()
        for session in sessions {
            var entries = try ledger.entries(session: session.id)
            if session.state == "finalized", session.costStatus == "priced", let price = session.price {
                let lines = try ledger.lines(session: session.id)
                do {
                    let added = try corrections(for: session, price: price, lines: lines, entries: entries, builder: builder, now: now)
                    if !added.isEmpty {
                        try ledger.append(added)
                        if entries.isEmpty { outcome.issued += 1 } else { outcome.corrected += 1 }
                        entries += added
                    }
                } catch let refusal as CDRBuilder.Refusal {
                    outcome.refused.append(refusal.description)
                } catch let error as ReportError {
                    throw error
                } catch {
                    throw .ledger(String(describing: error))
                }
            }
            outcome.records += entries
        }
        return outcome
    }

    /// The records to add for one session: its first CDR, a credit and a re-issue, or nothing.
    static func corrections(for session: ReportSession, price: ReportSession.Price, lines: [CostLineRow],
                            entries: [CDRLedger.Entry], builder: CDRBuilder, now: Int64) throws -> [CDRLedger.Entry] {
        let total = AmountText.format(price.total, currency: price.currency)
        guard let current = entries.last(where: { $0.kind == .cdr }) else {
            let body = try builder.cdr(for: session, lines: lines, id: session.id, issuedAt: now)
            return [CDRLedger.Entry(id: session.id, sessionId: session.id, kind: .cdr, issuedAt: now, replaces: nil,
                                    totalCost: total, currency: price.currency, body: body.text)]
        }
        // The CDR the session would get today: the same figures, nothing to correct.
        let candidate = try builder.cdr(for: session, lines: lines, id: current.id, issuedAt: current.issuedAt)
        let original: JSONValue
        do {
            original = try JSONValue.parse(current.body)
        } catch {
            throw ReportError.corruptLedger(id: current.id, reason: error.description)
        }
        guard CDRBuilder.figures(of: candidate) != CDRBuilder.figures(of: original) else { return [] }
        let round = entries.filter { $0.kind == .credit }.count + 1
        let credit = CDRBuilder.credit(of: original, id: "\(session.id)-credit-\(round)", issuedAt: now)
        let reissueId = "\(session.id)-r\(round)"
        let reissue = try builder.cdr(for: session, lines: lines, id: reissueId, issuedAt: now)
        let creditTotal = AmountText.parse(current.totalCost).map { AmountText.format(-$0, currency: current.currency) }
            ?? "-" + current.totalCost
        return [
            CDRLedger.Entry(id: "\(session.id)-credit-\(round)", sessionId: session.id, kind: .credit, issuedAt: now,
                            replaces: current.id, totalCost: creditTotal, currency: current.currency, body: credit.text),
            CDRLedger.Entry(id: reissueId, sessionId: session.id, kind: .cdr, issuedAt: now, replaces: current.id,
                            totalCost: total, currency: price.currency, body: reissue.text),
        ]
    }
}
