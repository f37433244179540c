import Testing

/// Every suite that starts a mosquitto nests in here: `.serialized` applies to nested suites too, so brokers,
/// publishers and reconnect timings never compete for the two cores.
@Suite(.serialized)
enum BrokerBackedTests {}
