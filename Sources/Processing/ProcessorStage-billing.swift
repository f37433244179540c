import Billing
import Foundation
import Sessions

extension ProcessorStage {
    /// The cost of each session a commit writes (docs/billing.md, "In the runtime"): open sessions up to their
    /// charger's event clock (`running`), closed ones to their unplug or end (`priced`). A session already written
    /// finalized with a cost is left as it is. A failure is counted once per session and kept for the log.
    func price(_ sessions: [SessionRecord]) throws -> [String: SessionCost] {
        var costs: [String: SessionCost] = [:]
        for record in sessions {
            if record.state == .finalized, try store.costIsFrozen(session: record.id) { continue }
            let held = chain.sessions.billingTrace(for: record)
            let cost = pricing.cost(of: record, trace: held?.trace, now: held?.now ?? record.startedAt)
            if cost.status == .failed, failedSessions.insert(record.id).inserted {
                pricingFailures += 1
                unreportedPricingFailures.append(cost.error ?? "session \(record.id) cannot be priced")
            }
            costs[record.id] = cost
        }
        return costs
    }

    /// Takes the pricing failures not reported yet (one message per failed session).
    public func drainPricingFailures() -> [String] {
        defer { unreportedPricingFailures.removeAll() }
        return unreportedPricingFailures
    }
}
