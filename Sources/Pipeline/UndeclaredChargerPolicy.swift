/// What happens to messages from a charger that `fleet.chargers` does not declare.
public enum UndeclaredChargerPolicy: String, Sendable, CaseIterable {
    /// Process them: the charger is placed at `default_site` and listed as undeclared. The default, so that a new
    /// charger shows up before anyone edits the fleet.
    case accept
    /// Reject them with reason `unknown_charger` (they are still archived, as every message is).
    case reject
}

/// Who a charger id turns out to be, under the pipeline's fleet and policy.
public enum ChargerResolution: Sendable, Equatable {
    /// A declared charger.
    case declared(Charger)
    /// Not declared, accepted at this site (`default_site`).
    case undeclared(site: String)
    /// Not declared, and the policy rejects it: reason `unknown_charger`.
    case rejected
}
