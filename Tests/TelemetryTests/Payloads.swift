import Telemetry

/// Payloads shared by the decoder tests: each is a message a real charger sends.
enum Payloads {
    static let origin = Origin(site: "depot", charger: "CP-1")

    static func source(_ format: PayloadFormat, fromBackend: Bool = false, quirks: ChargerQuirks = ChargerQuirks(),
                       evse: Int? = nil, connector: Int? = nil, action: String? = nil) -> MessageSource {
        MessageSource(origin: origin, format: format, evse: evse, connector: connector, action: action,
                      fromBackend: fromBackend, quirks: quirks)
    }

    static func message(_ text: String, topic: String = "ocpp/CP-1/in", at receivedAt: Int64 = 1_795_262_405_000) -> InboundMessage {
        InboundMessage(receivedAt: receivedAt, topic: topic, qos: 1, retained: false, text: text)
    }

    /// A typical OCPP 1.6 MeterValues: 8 sampled values (energy, power, three currents, three voltages).
    static let meterValues16 = """
    [2,"mv-1","MeterValues",{"connectorId":1,"transactionId":4711,"meterValue":[{"timestamp":"2026-11-21T12:00:00.000Z","sampledValue":[\
    {"value":"12.345","context":"Sample.Periodic","format":"Raw","measurand":"Energy.Active.Import.Register","location":"Outlet","unit":"kWh"},\
    {"value":"7200.5","context":"Sample.Periodic","measurand":"Power.Active.Import","location":"Outlet","unit":"W"},\
    {"value":"10.41","context":"Sample.Periodic","measurand":"Current.Import","phase":"L1","location":"Outlet","unit":"A"},\
    {"value":"10.38","context":"Sample.Periodic","measurand":"Current.Import","phase":"L2","location":"Outlet","unit":"A"},\
    {"value":"10.45","context":"Sample.Periodic","measurand":"Current.Import","phase":"L3","location":"Outlet","unit":"A"},\
    {"value":"230.1","context":"Sample.Periodic","measurand":"Voltage","phase":"L1-N","location":"Outlet","unit":"V"},\
    {"value":"229.8","context":"Sample.Periodic","measurand":"Voltage","phase":"L2-N","location":"Outlet","unit":"V"},\
    {"value":"231.0","context":"Sample.Periodic","measurand":"Voltage","phase":"L3-N","location":"Outlet","unit":"V"}]}]}]
    """

    /// An OCPP 2.0.1 TransactionEvent (Updated) with meter values in kW/kWh via multipliers.
    static let transactionEvent201 = """
    [2,"te-7","TransactionEvent",{"eventType":"Updated","timestamp":"2026-11-21T12:00:00.000Z","triggerReason":"MeterValuePeriodic",\
    "seqNo":3,"offline":false,"evse":{"id":2,"connectorId":1},"transactionInfo":{"transactionId":"b7e1c9a2-1f00-4c1e-9a7b-1d2e3f405060",\
    "chargingState":"Charging"},"meterValue":[{"timestamp":"2026-11-21T12:00:00.000Z","sampledValue":[\
    {"value":12.345,"measurand":"Energy.Active.Import.Register","unitOfMeasure":{"unit":"kWh"}},\
    {"value":72,"measurand":"Power.Active.Import","unitOfMeasure":{"unit":"W","multiplier":2}},\
    {"value":55,"measurand":"SoC","unitOfMeasure":{"unit":"Percent"}},\
    {"value":31.5,"measurand":"Current.Import","phase":"L1","unitOfMeasure":{"unit":"A"}}]}]}]
    """

    static let compact = """
    {"ts":"2026-11-21T12:00:00Z","connector":2,"energy_wh":"1234.5","power_w":7200,"current_a":[10.1,10.2,10.0],\
    "voltage_v":[230.1,231.0,229.8],"soc":54,"status":"Charging","tx":"T-9"}
    """
}
