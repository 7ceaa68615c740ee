import Foundation
import PakaPipeline
import PakaPluginHost
import Testing

/// Each supported format, through the `.so`: the stored chunks hold the document's text, not its syntax.
@Suite struct DocumentExtractionTests {
    @Test func plainTextIsStoredAsWritten() throws {
        let fixture = try DocumentFixture()
        let id = try fixture.ingest("notes.txt", "The quarterly numbers are up.\nRevenue grew   by 12 percent.")
        #expect(try fixture.text(of: id) == "The quarterly numbers are up. Revenue grew by 12 percent.")
    }

    @Test func markdownLosesItsMarkup() throws {
        let fixture = try DocumentFixture()
        let id = try fixture.ingest("readme.md", """
            # Release plan

            - **Ship** the *importer* by [Friday](https://example.com/friday).
            1. Tell `ops` &amp; support.
            ```
            """, contentType: "application/octet-stream")
        #expect(try fixture.text(of: id) == "Release plan Ship the importer by Friday. Tell ops & support.")
    }

    @Test func htmlKeepsTextAndDropsTagsScriptsStylesAndComments() throws {
        let fixture = try DocumentFixture()
        let id = try fixture.ingest("page.html", """
            <html><head><title>Caf&eacute; menu</title><style>body { color: red }</style>
            <script>var secret = "do not index";</script></head>
            <body><!-- hidden note --><h1>Today&#39;s soup</h1><p>Tomato &amp; basil &lt;fresh&gt; for &#x20AC;4.</p>
            <SCRIPT type="text/javascript">alert(1)</SCRIPT><p>Open&nbsp;daily.</p></body></html>
            """, contentType: "text/html")
        #expect(try fixture.text(of: id) == "Café menu Today's soup Tomato & basil <fresh> for €4. Open daily.")
    }

    @Test func jsonContributesItsStringValuesNotItsKeys() throws {
        let fixture = try DocumentFixture()
        let id = try fixture.ingest("data.json", #"{"title": "Invoice policy", "count": 3, "items": ["Pay within 30 days.", {"note": "Late fees apply."}], "ok": true}"#,
                                    contentType: "application/json")
        let text = try fixture.text(of: id)
        #expect(text == "Pay within 30 days. Late fees apply. Invoice policy")
        #expect(!text.contains("title") && !text.contains("count"))
    }

    @Test func csvContributesItsCellsQuotedOrNot() throws {
        let fixture = try DocumentFixture()
        let id = try fixture.ingest("people.csv", "name,city,quote\nAda,London,\"Numbers, \"\"poetry\"\"\"\nAlan,\"Man\nchester\",\n", contentType: "text/csv")
        #expect(try fixture.text(of: id) == "name city quote Ada London Numbers, \"poetry\" Alan Man chester")
    }

    @Test func pdfIsReadWithPdftotextOrFailsSayingHowToInstallIt() throws {
        let fixture = try DocumentFixture()
        let pdf = Self.minimalPDF(text: "Hello from a PDF")
        let id = UUID().uuidString.lowercased()
        let outcome = fixture.handle(DocumentFixture.event(documentId: id, fileName: "hello.pdf", contentType: "application/pdf",
                                                           path: fixture.store("\(id).pdf", pdf)))
        let installed = ["/usr/bin/pdftotext", "/usr/local/bin/pdftotext"].contains { FileManager.default.isExecutableFile(atPath: $0) }
        if installed {
            #expect(outcome == .ok)
            #expect(try fixture.text(of: id).contains("Hello from a PDF"))
        } else {
            #expect(outcome == .fail("document \(id): PDF support needs pdftotext (apt-get install poppler-utils)"))
            #expect(try fixture.row(id)["status"] == "failed")
        }
    }

    /// An executable script standing in for pdftotext (a crafted PDF's behaviour, made certain).
    private static func extractor(_ directory: TemporaryDirectory, _ script: String) -> String {
        directory.write("pdftotext", "#!/bin/sh\n\(script)\n", mode: 0o755)
    }

    @Test func pdfExtractionThatNeverEndsIsKilledAndTheEventFails() throws {
        let scripts = TemporaryDirectory()
        let fixture = try DocumentFixture(config: ["pdftotext": Self.extractor(scripts, "exec sleep 30"), "pdfTimeoutSeconds": "0.5"])
        let id = UUID().uuidString.lowercased()
        let outcome = fixture.handle(DocumentFixture.event(documentId: id, fileName: "stall.pdf", contentType: "application/pdf",
                                                           path: fixture.store("\(id).pdf", Self.minimalPDF(text: "never read"))))
        #expect(outcome == .fail("document \(id): pdftotext did not finish within 0.5 s (config pdfTimeoutSeconds): the PDF is too complex or crafted to stall extraction"))
        #expect(try fixture.row(id)["status"] == "failed")
    }

    @Test func pdfExtractionThatWritesWithoutEndIsStoppedAtTheOutputCap() throws {
        let scripts = TemporaryDirectory()
        // pdftotext's last argument is the output file: write to it without end.
        let endless = Self.extractor(scripts, #"for last; do :; done; exec yes "endless text" > "$last""#)
        let fixture = try DocumentFixture(config: ["pdftotext": endless, "pdfMaxTextBytes": "100000", "pdfTimeoutSeconds": "60"])
        let id = UUID().uuidString.lowercased()
        let outcome = fixture.handle(DocumentFixture.event(documentId: id, fileName: "bomb.pdf", contentType: "application/pdf",
                                                           path: fixture.store("\(id).pdf", Self.minimalPDF(text: "never read"))))
        #expect(outcome == .fail("document \(id): pdftotext wrote more than 100000 bytes of text (config pdfMaxTextBytes): the PDF is too large to index"))
    }

    /// A one-page PDF with correct cross-reference offsets (pdftotext is strict about them).
    static func minimalPDF(text: String) -> [UInt8] {
        let stream = "BT /F1 24 Tf 72 700 Td (\(text)) Tj ET"
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            "<< /Length \(stream.utf8.count) >>\nstream\n\(stream)\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
        var pdf = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (i, object) in objects.enumerated() {
            offsets.append(pdf.utf8.count)
            pdf += "\(i + 1) 0 obj\n\(object)\nendobj\n"
        }
        let xref = pdf.utf8.count
        pdf += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { pdf += String(format: "%010d 00000 n \n", offset) }
        pdf += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return Array(pdf.utf8)
    }
}
