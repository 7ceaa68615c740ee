import Foundation
import Testing

/// docs/plugin-abi.md links each rule a plugin may rely on to the header line that states it;
/// an edit of the header that moves or drops a rule must update the page too.
@Suite struct ABIDocumentationTests {
    @Test func everyRuleLinkPointsAtTheHeaderLineThatStatesIt() throws {
        let page = try String(contentsOfFile: "\(TestPaths.packageRoot)/docs/plugin-abi.md", encoding: .utf8)
        let header = try String(contentsOfFile: "\(TestPaths.abiInclude)/paka_plugin.h", encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
        let link = /\[`([^`]+)` \(line (\d+)\)\]\(\.\.\/Sources\/CPakaABI\/include\/paka_plugin\.h#L(\d+)\)/
        let links = page.matches(of: link)
        #expect(links.count >= 15, "the 'What a plugin may rely on' table lost rows")
        for match in links {
            let (quoted, shown, anchor) = (String(match.1), Int(match.2) ?? 0, Int(match.3) ?? 0)
            #expect(shown == anchor, "'\(quoted)': the text says line \(shown), the link goes to \(anchor)")
            let line = header.indices.contains(anchor - 1) ? String(header[anchor - 1]) : ""
            #expect(line.contains(quoted), "paka_plugin.h line \(anchor) no longer says '\(quoted)': \(line)")
        }
    }
}
