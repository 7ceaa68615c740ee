import PakaKafka
import Testing

@Suite struct ConfigurationTests {
    @Test func fromEnvironmentMapsBrokersClientIdAndPropertyNames() {
        let configuration = KafkaConfiguration.fromEnvironment([
            "KAFKA_BROKERS": "k1:9092,k2:9092",
            "KAFKA_CLIENT_ID": "paka-test",
            "KAFKA_PROPERTY_SASL_MECHANISMS": "PLAIN",
            "KAFKA_PROPERTY_SECURITY_PROTOCOL": "SASL_SSL",
            "KAFKA_PROPERTY_SSL_CA_LOCATION": "/etc/ca.pem",
            "KAFKA_PROPERTY_": "ignored",
            "PATH": "/usr/bin",
        ])
        #expect(configuration.brokers == "k1:9092,k2:9092")
        #expect(configuration.clientId == "paka-test")
        #expect(configuration.properties == [
            "sasl.mechanisms": "PLAIN",
            "security.protocol": "SASL_SSL",
            "ssl.ca.location": "/etc/ca.pem",
        ])
    }

    @Test func fromEnvironmentKeepsDefaultsWhenVariablesAreMissing() {
        let configuration = KafkaConfiguration.fromEnvironment([:])
        #expect(configuration.brokers == "localhost:9092")
        #expect(configuration.clientId == "paka-api")
        #expect(configuration.properties.isEmpty)
    }

    @Test func descriptionRedactsPropertyValues() {
        let configuration = KafkaConfiguration(properties: ["sasl.password": "hunter2"])
        #expect(!configuration.description.contains("hunter2"))
        #expect(configuration.description.contains("sasl.password"))
    }

    @Test func unknownPropertyFailsClientCreationNamingThePropertyButNotTheValue() {
        let logs = CapturedLogs()
        let configuration = KafkaConfiguration(properties: ["foo": "top-secret-value"])
        let error = #expect(throws: KafkaError.self) {
            _ = try KafkaProducer(configuration: configuration, logger: logs.logger())
        }
        #expect(error?.message.contains("'foo'") == true)
        #expect(error?.message.contains("KAFKA_PROPERTY_") == true)
        #expect(error?.message.contains("top-secret-value") == false)
        #expect(!logs.all.contains("top-secret-value"))
    }

    @Test func invalidPropertyValueFailsEveryClientKindWithoutRevealingTheValue() {
        let logs = CapturedLogs()
        let configuration = KafkaConfiguration(properties: ["security.protocol": "s3cr3t-proto"])
        let errors: [KafkaError?] = [
            #expect(throws: KafkaError.self) {
                _ = try KafkaProducer(configuration: configuration, logger: logs.logger())
            },
            #expect(throws: KafkaError.self) {
                _ = try KafkaConsumer(configuration: configuration, groupId: "g", topics: ["t"],
                                      logger: logs.logger())
            },
            #expect(throws: KafkaError.self) {
                _ = try KafkaAdmin(configuration: configuration, logger: logs.logger())
            },
        ]
        for error in errors {
            #expect(error?.message.contains("'security.protocol'") == true)
            #expect(error?.message.contains("s3cr3t-proto") == false)
        }
        #expect(!logs.all.contains("s3cr3t-proto"))
    }
}
