import CMosquitto

extension MQTTClient {
    /// Applies everything in `options` that is set before connecting. Protocol version first: libmosquitto checks
    /// the credentials against it.
    static func configure(_ raw: OpaquePointer, _ options: MQTTOptions) throws(MQTTError) {
        let version = options.protocolVersion == .v5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311
        try MQTTError.check(
            mosquitto_int_option(raw, MOSQ_OPT_PROTOCOL_VERSION, Int32(version)), "setting the protocol version")
        if options.protocolVersion == .v5 {
            try MQTTError.check(
                mosquitto_int_option(raw, MOSQ_OPT_RECEIVE_MAXIMUM, Int32(clamping: options.receiveMaximum)),
                "setting the receive maximum to \(options.receiveMaximum)")
        }
        if options.username != nil || options.password != nil {
            try MQTTError.check(
                mosquitto_username_pw_set(raw, options.username, options.password), "setting the user name and password")
        }
        if let will = options.will {
            try configureWill(raw, will)
        }
        if let tls = options.tls {
            try configureTLS(raw, tls)
        }
        // publish() and close() run on other threads than the network loop.
        try MQTTError.check(mosquitto_threaded_set(raw, true), "telling libmosquitto it is used from several threads")
    }

    private static func configureWill(_ raw: OpaquePointer, _ will: MQTTWill) throws(MQTTError) {
        let operation = "setting the will on '\(will.topic)'"
        guard let length = Int32(exactly: will.payload.count) else {
            throw MQTTError.library(MOSQ_ERR_PAYLOAD_SIZE.rawValue, operation)
        }
        let rc = will.payload.withUnsafeBytes { bytes in
            mosquitto_will_set(raw, will.topic, length, bytes.baseAddress, will.qos.rawValue, will.retain)
        }
        try MQTTError.check(rc, operation)
    }

    /// Verification on unless `tls.verify` is false: `SSL_VERIFY_PEER` (1) and host name checking.
    ///
    /// Without a CA file the system's CA directory is passed as libmosquitto's `capath` rather than using
    /// `MOSQ_OPT_TLS_USE_OS_CERTS`: with that option alone, libmosquitto 2.0.11 refuses every connect after the
    /// first ("MOSQ_OPT_SSL_CTX_WITH_DEFAULTS used without specifying cafile, capath or psk"), so the client
    /// could never reconnect.
    private static func configureTLS(_ raw: OpaquePointer, _ tls: MQTTTLSOptions) throws(MQTTError) {
        let caDirectory = tls.caFile == nil ? MQTTTLSOptions.systemCADirectory : nil
        var files = [tls.caFile.map { "CA \($0)" }, caDirectory.map { "CA directory \($0)" }]
        files += [tls.certFile.map { "certificate \($0)" }, tls.keyFile.map { "key \($0)" }]
        // libmosquitto opens each file here and answers MOSQ_ERR_INVAL if one cannot be read.
        try MQTTError.check(
            mosquitto_tls_set(raw, tls.caFile, caDirectory, tls.certFile, tls.keyFile, nil),
            "setting up TLS (\(files.compactMap { $0 }.joined(separator: ", ")))")
        try MQTTError.check(mosquitto_tls_opts_set(raw, tls.verify ? 1 : 0, nil, nil), "setting the TLS verification")
        try MQTTError.check(mosquitto_tls_insecure_set(raw, !tls.verify), "setting the TLS host name check")
    }
}
