/// An opaque C handle (`rd_kafka_t *`, `rd_kafka_mock_cluster_t *`) that may cross threads.
///
/// Why `@unchecked Sendable` is sound here: librdkafka documents its client and mock-cluster
/// handles as thread-safe; what is not thread-safe is their *lifetime*, and every owner of one of
/// these pointers guards destruction itself (deinit or a `Mutex`).
struct SendablePointer: @unchecked Sendable {
    let raw: OpaquePointer
}
