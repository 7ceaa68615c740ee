import CRdKafka

extension KafkaError {
    /// The consumer group is between generations (a member joined or left): commits and
    /// position queries fail until the rebalance ends, a state to wait out rather than an outage.
    public var isGroupRebalancing: Bool {
        guard let code else { return false }
        return [RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS, RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION,
                RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID].contains { $0.rawValue == code }
    }
}
