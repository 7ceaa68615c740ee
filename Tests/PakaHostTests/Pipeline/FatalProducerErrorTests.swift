import Foundation
import PakaKafka
@testable import PakaPipeline
@testable import PakaPluginHost
import PakaTestSupport
import Testing

/// librdkafka can declare an idempotent producer fatally broken after an outage; the host
/// replaces it and loses nothing.
@Suite struct FatalProducerErrorTests {
    @Test func fatalProducerErrorIsDetectedTheProducerReplacedAndNoEventLost() async throws {
        let harness = try PipelineHarness()
        let consumer = try harness.startConsumer()
        let broken = harness.bus.currentProducer
        broken.injectFatalErrorForTesting()
        #expect(broken.fatalError != nil)

        // The publish that meets the broken producer is processed synchronously, not dropped.
        let during = await harness.router.publish(harness.event("during"))
        #expect(during.mode == .synchronous)
        #expect(harness.recorded.map(\.id) == ["during"])

        // The monitor's next round replaces the producer; Kafka delivery resumes.
        #expect(await eventually { harness.bus.refreshConnection(timeout: .seconds(1)) })
        #expect(harness.bus.currentProducer !== broken)
        #expect(harness.bus.currentProducer.fatalError == nil)
        let after = await harness.router.publish(harness.event("after"))
        #expect(after.mode == .kafka)
        #expect(await eventually { harness.recorded.map(\.id) == ["during", "after"] })
        await consumer.stop()
    }
}
