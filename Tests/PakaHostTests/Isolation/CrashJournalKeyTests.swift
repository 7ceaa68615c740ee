@testable import PakaPipeline
@testable import PakaPluginHost
import Testing

/// The journal names each event in flight as `topic/partition/offset/id` on one line split at
/// spaces: what the next start reads back must be exactly what was in flight.
@Suite struct CrashJournalKeyTests {
    @Test func keysCarryEveryFieldAndEscapeWhatWouldSplitTheLine() {
        let plain = PluginEvent(id: "0b6d-42", topic: "audit.event", key: [], payload: [], partition: 3, offset: 1_234_567)
        #expect(CrashJournal.key(plain) == "audit.event/3/1234567/0b6d-42")
        let awkward = PluginEvent(id: "a b%c\nd", topic: "t p", key: [], payload: [], partition: -1, offset: Int64.min)
        #expect(CrashJournal.key(awkward) == "t%20p/-1/-9223372036854775808/a%20b%25c%0Ad")
        let edges = PluginEvent(id: "é", topic: "x", key: [], payload: [], partition: 0, offset: Int64.max)
        #expect(CrashJournal.key(edges) == "x/0/9223372036854775807/é")
    }
}
