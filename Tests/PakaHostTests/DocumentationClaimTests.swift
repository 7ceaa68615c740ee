import Testing

/// Numbers the documentation states about the repository stay true.
@Suite struct DocumentationClaimTests {
    @Test func everyLineCountStatedInTheReadmeAndDocsMatchesTheFileItNames() throws {
        let result = try run("/usr/bin/env", ["python3", "\(TestPaths.packageRoot)/scripts/check-doc-numbers.py"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("0 wrong"))
    }
}
