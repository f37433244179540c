import CMosquitto

extension MQTTCallbackContext {
    /// Sets libmosquitto's callbacks on `raw`. Each is a C function pointer (no captures) that finds this context
    /// through the userdata pointer and runs on the network thread.
    func install(on raw: OpaquePointer) {
        mosquitto_message_callback_set(raw) { _, userdata, message in
            guard let message else { return }
            MQTTCallbackContext.from(userdata).handleMessage(message)
        }
        // With flags for both versions: bit 0 of the CONNACK flags is "session present", and the code is a
        // 3.1.1 return code or an MQTT 5 reason code.
        mosquitto_connect_with_flags_callback_set(raw) { mosq, userdata, code, flags in
            MQTTCallbackContext.from(userdata).handleConnack(mosq, code: code, flags: flags)
        }
        mosquitto_disconnect_callback_set(raw) { _, userdata, code in
            MQTTCallbackContext.from(userdata).handleDisconnect(code: code)
        }
        mosquitto_publish_callback_set(raw) { _, userdata, _ in
            MQTTCallbackContext.from(userdata).completedPublishes.add(1, ordering: .relaxed)
        }
        mosquitto_subscribe_callback_set(raw) { _, userdata, mid, count, granted in
            MQTTCallbackContext.from(userdata).handleSuback(mid: mid, grantedCount: count, granted: granted)
        }
    }

    /// Collects libmosquitto's error log lines while an attempt to connect runs.
    func installAttemptLog(on raw: OpaquePointer) {
        mosquitto_log_callback_set(raw) { _, userdata, level, line in
            MQTTCallbackContext.from(userdata).recordLog(level: level, line)
        }
    }

    func removeAttemptLog(from raw: OpaquePointer) {
        mosquitto_log_callback_set(raw, nil)
    }
}
