extension Duration {
    /// The duration as librdkafka's `int timeout_ms`, clamped to `0...Int32.max`.
    ///
    /// Why clamping: librdkafka treats negative timeouts as "wait forever", which must never
    /// happen by accident (a negative `Duration` or an overflow would hang a thread).
    var clampedMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        if seconds < 0 || (seconds == 0 && attoseconds <= 0) { return 0 }
        let (millisFromSeconds, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return Int32.max }
        let total = millisFromSeconds.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        if total.overflow { return Int32.max }
        return Int32(clamping: total.partialValue)
    }
}
