import PakaKafka
import PakaTestSupport
import Synchronization
import Testing

@Suite struct ProduceConsumeTests {
    @Test func producedMessagesReachAGroupConsumerInPartitionOrderWithKeysAndHeaders() async throws {
        let topic = "orders"
        let cluster = try makeCluster(topic: topic, partitions: 3)
        defer { cluster.shutdown() }
        let logs = CapturedLogs()
        let configuration = KafkaConfiguration(brokers: cluster.bootstrapServers, clientId: "test")
        let producer = try KafkaProducer(configuration: configuration, logger: logs.logger())
        defer { producer.shutdown() }

        let count = 30
        let deliveries = Counter()
        for index in 0..<count {
            try producer.send(
                topic: topic, key: bytes("key-\(index % 5)"), value: bytes("value-\(index)"),
                headers: [KafkaHeader(name: "seq", string: "\(index)"),
                          KafkaHeader(name: "nullable", value: nil),
                          KafkaHeader(name: "empty", value: [])],
                onDelivery: deliveries.record)
        }
        #expect(await producer.flush(timeout: .seconds(10)) == 0)
        #expect(deliveries.count == count)
        let delivered = deliveries.results.compactMap { try? $0.get() }
        #expect(delivered.count == count)

        let consumer = try KafkaConsumer(configuration: configuration, groupId: "orders-group",
                                         topics: [topic], logger: logs.logger())
        let messages = await collect(consumer, count: count)
        await consumer.close()
        #expect(messages.count == count)

        for message in messages {
            let seq = Int(text(message.header(named: "seq")?.value) ?? "") ?? -1
            #expect(text(message.value) == "value-\(seq)")
            #expect(text(message.key) == "key-\(seq % 5)")
            #expect(message.headers.map(\.name) == ["seq", "nullable", "empty"])
            #expect(message.header(named: "nullable")?.value == nil)
            #expect(message.header(named: "empty")?.value == [])
            #expect(message.timestamp != nil)
            #expect(delivered.contains {
                $0.partition == message.partition && $0.offset == message.offset
            })
        }
        // Per partition, offsets are consecutive and the send order is preserved.
        for partition in Set(messages.map(\.partition)) {
            let inPartition = messages.filter { $0.partition == partition }
            let seqs = inPartition.map { Int(text($0.header(named: "seq")?.value) ?? "") ?? -1 }
            #expect(seqs == seqs.sorted())
            #expect(inPartition.map(\.offset) == Array(0..<Int64(inPartition.count)))
        }
        // Same key, same partition.
        let partitionsByKey = Dictionary(grouping: messages) { text($0.key) ?? "" }
            .mapValues { Set($0.map(\.partition)) }
        #expect(partitionsByKey.values.allSatisfy { $0.count == 1 })
    }

    @Test func asyncSendReturnsTheBrokerAssignedPartitionAndOffset() async throws {
        let cluster = try makeCluster(brokers: 1, topic: "single", partitions: 1)
        defer { cluster.shutdown() }
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(brokers: cluster.bootstrapServers),
            logger: CapturedLogs().logger())
        defer { producer.shutdown() }
        let first = try await producer.send(topic: "single", value: bytes("a"))
        let second = try await producer.send(topic: "single", value: bytes("b"))
        #expect(first.topic == "single" && first.partition == 0 && first.offset == 0)
        #expect(second.offset == 1)
        #expect(producer.isConnected)
        #expect(producer.fatalError == nil)
    }

    @Test func retriableProduceErrorsInjectedIntoTheClusterAreRetriedTransparently() async throws {
        let cluster = try makeCluster(brokers: 1, topic: "flaky", partitions: 1)
        defer { cluster.shutdown() }
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(brokers: cluster.bootstrapServers,
                                              properties: ["retry.backoff.ms": "10"]),
            logger: CapturedLogs().logger())
        defer { producer.shutdown() }
        _ = try await producer.send(topic: "flaky", value: bytes("warm-up"))
        // Produce = api key 0; 7 = REQUEST_TIMED_OUT, 6 = NOT_LEADER_OR_FOLLOWER (both retriable).
        cluster.pushRequestErrors(apiKey: 0, errors: [7, 6])
        let delivery = try await producer.send(topic: "flaky", value: bytes("after-errors"))
        #expect(delivery.offset == 1)
    }

    @Test func shutdownFailsUndeliverableMessagesExactlyOnceInsteadOfDroppingThem() async throws {
        // In a child process: taking brokers down in this one is unsafe (see BrokerProcess).
        let cluster = try BrokerProcess(brokers: 1, topics: [("doomed", 1)])
        defer { cluster.shutdown() }
        try cluster.setAllBrokersDown()
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(brokers: cluster.bootstrapServers),
            logger: CapturedLogs().logger())
        let callbacks = Counter()
        for index in 0..<3 {
            try producer.send(topic: "doomed", value: bytes("\(index)"), onDelivery: callbacks.record)
        }
        await BlockingShutdown.run(producer, timeout: .milliseconds(300))
        #expect(callbacks.count == 3)
        for result in callbacks.results {
            guard case .failure(let error) = result else {
                Issue.record("expected a purge failure, got \(result)")
                continue
            }
            #expect([KafkaError.Code.purgedFromQueue, KafkaError.Code.purgedInFlight].contains(error.code))
        }
        #expect(throws: KafkaError.self) {
            try producer.send(topic: "doomed", value: bytes("late")) { _ in }
        }
    }

    @Test func statisticsCallbackReceivesLibrdkafkaJSONWhenAnIntervalIsConfigured() async throws {
        let cluster = try makeCluster(brokers: 1, topic: "stats", partitions: 1)
        defer { cluster.shutdown() }
        let received = Mutex<[String]>([])
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(brokers: cluster.bootstrapServers,
                                              properties: ["statistics.interval.ms": "100"]),
            logger: CapturedLogs().logger(),
            onStatistics: { json in received.withLock { $0.append(json) } })
        defer { producer.shutdown() }
        #expect(await eventually { received.withLock { !$0.isEmpty } })
        #expect(received.withLock { $0.first?.contains("\"type\": \"producer\"") ?? false })
    }
}
