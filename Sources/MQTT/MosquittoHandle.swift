/// The `struct mosquitto *` of one client, so that it can be kept in a `Mutex` and handed to the network thread.
///
/// `@unchecked Sendable` because a raw pointer is not `Sendable`. It is safe because libmosquitto is built
/// thread-safe (`WITH_THREADING`) and, told so with `mosquitto_threaded_set`, guards its own state with its
/// mutexes: running the loop on one thread while publishing and disconnecting from others is documented use.
/// What libmosquitto does not guard is the handle's lifetime, and ``MQTTClient`` takes care of that: the handle
/// lives in its `Mutex` until `close()` takes it out, and only `close()` (or `deinit`) destroys it, after
/// joining the network thread.
struct MosquittoHandle: @unchecked Sendable {
    let raw: OpaquePointer
}
