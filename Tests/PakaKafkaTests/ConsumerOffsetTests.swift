import PakaKafka
import Testing

@Suite struct ConsumerOffsetTests {
    /// Produces `count` messages "m0"... to a single-partition topic and waits for the acks.
    func produce(_ count: Int, to topic: String, on cluster: EmbeddedKafkaCluster) async throws {
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(brokers: cluster.bootstrapServers),
            logger: CapturedLogs().logger())
        defer { producer.shutdown() }
        for index in 0..<count {
            try producer.send(topic: topic, value: bytes("m\(index)")) { _ in }
        }
        #expect(await producer.flush(timeout: .seconds(10)) == 0)
    }

    @Test func aNewConsumerInTheGroupResumesAfterTheLastStoredOffsetAndGetsUnstoredOnesAgain()
        async throws
    {
        let topic = "resume"
        let cluster = try makeCluster(brokers: 1, topic: topic, partitions: 1)
        defer { cluster.shutdown() }
        try await produce(10, to: topic, on: cluster)
        let configuration = KafkaConfiguration(
            brokers: cluster.bootstrapServers, properties: EmbeddedKafkaCluster.fastConsumerProperties)
        let logs = CapturedLogs()

        let first = try KafkaConsumer(configuration: configuration, groupId: "resume-group",
                                      topics: [topic], logger: logs.logger())
        let firstBatch = await collect(first, count: 10)
        #expect(firstBatch.map(\.offset) == Array(0..<10))
        // Processed 0...5: store each message's own offset (the consumer stores offset + 1).
        for message in firstBatch.prefix(6) {
            try first.storeOffset(topic: message.topic, partition: message.partition,
                                  offset: message.offset)
        }
        #expect(first.assignment() == [KafkaTopicPartition(topic: topic, partition: 0)])
        await first.close()

        let second = try KafkaConsumer(configuration: configuration, groupId: "resume-group",
                                       topics: [topic], logger: logs.logger())
        let secondBatch = await collect(second, count: 4)
        // Nothing more should arrive: a short extra poll proves no re-delivery of stored ones.
        let extra = await second.poll(maxMessages: 10, timeout: .milliseconds(300))
        await second.close()
        #expect(secondBatch.map(\.offset) == [6, 7, 8, 9])
        #expect(secondBatch.map { text($0.value) } == ["m6", "m7", "m8", "m9"])
        #expect(extra.isEmpty)
    }

    @Test func pauseSeekResumeRedeliversFromTheSoughtOffset() async throws {
        let topic = "rewind"
        let cluster = try makeCluster(brokers: 1, topic: topic, partitions: 1)
        defer { cluster.shutdown() }
        try await produce(10, to: topic, on: cluster)
        let consumer = try KafkaConsumer(
            configuration: KafkaConfiguration(brokers: cluster.bootstrapServers),
            groupId: "rewind-group", topics: [topic], logger: CapturedLogs().logger())

        let all = await collect(consumer, count: 10)
        #expect(all.map(\.offset) == Array(0..<10))
        try consumer.pause(topic: topic, partition: 0)
        // While paused nothing is delivered.
        #expect(await consumer.poll(maxMessages: 10, timeout: .milliseconds(200)).isEmpty)
        try consumer.seek(topic: topic, partition: 0, offset: 3)
        try consumer.resume(topic: topic, partition: 0)
        let again = await collect(consumer, count: 7)
        await consumer.close()
        #expect(again.map(\.offset) == Array(3..<10))
        #expect(text(again.first?.value) == "m3")
    }

    @Test func storingAnOffsetForAnUnassignedPartitionThrowsAReadableError() async throws {
        let cluster = try makeCluster(brokers: 1, topic: "assigned", partitions: 1)
        defer { cluster.shutdown() }
        let consumer = try KafkaConsumer(
            configuration: KafkaConfiguration(brokers: cluster.bootstrapServers),
            groupId: "unassigned-group", topics: ["assigned"], logger: CapturedLogs().logger())
        let error = #expect(throws: KafkaError.self) {
            try consumer.storeOffset(topic: "not-mine", partition: 7, offset: 1)
        }
        #expect(error?.message.contains("not-mine[7]") == true)
        try await consumer.commit()  // nothing stored: still succeeds
        await consumer.close()
    }
}
