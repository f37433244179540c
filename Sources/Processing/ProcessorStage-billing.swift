import Alerts
import Billing
import Foundation
import Sessions

extension ProcessorStage {
    /// The cost of each session a commit writes (docs/billing.md, "In the runtime"): open sessions up to their
    /// charger's event clock (`running`), closed ones to their unplug or end (`priced`). A session already written
    /// finalized with a cost is left as it is, and so is one with a cost the tracker no longer holds. A failure is counted once per session and kept for the log. Also
    /// refreshes `openProgress` and produces `session.cost_threshold` alert events (for this commit's outbox).
    func price(_ sessions: [SessionRecord]) throws -> [String: SessionCost] {
        var costs: [String: SessionCost] = [:]
        var progress: [SessionProgress] = []
        for record in sessions {
            if !thresholdQueuedBeforeRestart.isEmpty, thresholdQueuedBeforeRestart.remove(record.id) != nil {
                _ = chain.sessions.markCostThresholdReached(for: record)
            }
            if record.state == .finalized, try store.costIsFrozen(session: record.id) { continue }
            let held = chain.sessions.billingTrace(for: record)
            // A session the tracker no longer holds (evicted as it was written) has no trace: keep what was priced
            // from its trace before rather than a cruder price from its totals.
            if held == nil, try store.costIsFrozen(session: record.id, anyPriced: true) { continue }
            let now = held?.now ?? record.startedAt
            let cost = pricing.cost(of: record, trace: held?.trace, now: now)
            if cost.status == .failed, failedSessions.insert(record.id).inserted {
                pricingFailures += 1
                unreportedPricingFailures.append(cost.error ?? "session \(record.id) cannot be priced")
            }
            costs[record.id] = cost
            if record.state == .open, outputs.publishing != nil {
                progress.append(SessionProgress(record: record, cost: cost, at: now, soc: record.socEnd))
            }
            if let threshold = outputs.costThreshold, let event = costThresholdEvent(record, cost, threshold, at: now) {
                queueAlert(event)
            }
        }
        openProgress = progress
        return costs
    }

    /// `session.cost_threshold` the first time the session's cost (incl. VAT, running or final) reaches `threshold`.
    private func costThresholdEvent(_ record: SessionRecord, _ cost: SessionCost, _ threshold: Decimal,
                                    at now: Int64) -> AlertEvent? {
        guard alerts != nil, let b = cost.breakdown, b.totalInclVAT >= threshold,
              chain.sessions.markCostThresholdReached(for: record) else { return nil }
        return AlertEvent(costThreshold: b.currency.text(threshold), total: b.currency.text(b.totalInclVAT),
                          currency: b.currency.code, tariffId: b.tariffId, record: record,
                          at: record.state == .open ? now : record.endedAt ?? now)
    }

    /// Notes the costs a commit wrote: kept for open sessions, forgotten once a session is no longer open (it is
    /// not written again unless it changes, and then it is priced anyway).
    func remember(_ written: [String: SessionCost], of sessions: [SessionRecord]) {
        for record in sessions {
            if record.state == .open {
                if let cost = written[record.id] { writtenCosts[record.id] = cost }
            } else {
                writtenCosts.removeValue(forKey: record.id)
                // Priced for the last time: a failure cannot be counted again.
                if record.state == .finalized { failedSessions.remove(record.id) }
            }
        }
    }

    /// Takes the pricing failures not reported yet (one message per failed session).
    public func drainPricingFailures() -> [String] {
        defer { unreportedPricingFailures.removeAll() }
        return unreportedPricingFailures
    }
}
