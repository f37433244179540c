import CMosquitto

/// libmosquitto's process-wide setup.
enum MosquittoLibrary {
    /// `mosquitto_lib_init`, run once per process: a `static let` is initialised exactly once, thread-safely,
    /// on first use. `mosquitto_lib_cleanup` is never called; the process exit releases everything.
    private static let initialised: Int32 = mosquitto_lib_init()

    /// Makes sure the library is initialised; call before `mosquitto_new`.
    static func ensureInitialised() throws(MQTTError) {
        try MQTTError.check(initialised, "initialising libmosquitto")
    }
}
