/// Injected Faulted statuses (`StatusFault`): raised and cleared on the charger's own ticks, in its protocol.
extension ChargerSimulation {
    mutating func stepStatusFaults(at time: Int64, into outbox: inout Outbox) {
        for index in statusFaults.indices {
            guard let step = statusFaults[index].step(at: time),
                  let slot = connectors.firstIndex(where: { $0.evse.id == statusFaults[index].planned.evse }) else { continue }
            let evseID = connectors[slot].evse.id
            switch (step, charger.protocol) {
            case (.raise, .ocpp16):
                faulted16(connectorID: evseID, at: time, into: &outbox)
            case (.raise, _):
                status201(evseID: evseID, "Faulted", at: time, into: &outbox)
            case (.clear, .ocpp16):
                status16(connectorID: evseID, connectors[slot].status16(at: time), at: time, into: &outbox)
            case (.clear, _):
                status201(evseID: evseID, connectors[slot].session == nil ? "Available" : "Occupied", at: time,
                          into: &outbox)
            }
        }
    }

    /// OCPP 1.6 StatusNotification Faulted with a ground fault, as an RCD trip reports it.
    private mutating func faulted16(connectorID: Int, at time: Int64, into outbox: inout Outbox) {
        call("StatusNotification", at: time, into: &outbox, payload: { buffer in
            buffer.beginObject()
            buffer.key("connectorId")
            buffer.integer(connectorID)
            buffer.key("errorCode")
            buffer.string("GroundFailure")
            buffer.key("status")
            buffer.string("Faulted")
            buffer.key("timestamp")
            buffer.timestamp(time)
            buffer.endObject()
        })
    }
}

extension ConnectorSimulation {
    /// The OCPP 1.6 status the connector really has at `time` (what a cleared fault goes back to).
    func status16(at time: Int64) -> StaticString {
        guard let session else { return "Available" }
        return switch session.phase(at: time) {
        case .connected: "Preparing"
        case .charging: "Charging"
        case .suspendedEV: "SuspendedEV"
        case .finishing: "Finishing"
        case .ended: "Available"
        }
    }
}
