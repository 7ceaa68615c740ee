/// The console's script (`GET /console/console.js`), plain JavaScript in parts by concern:
/// the API and rendering helpers, the overview, the plugin cards, the dead-letter browser and
/// replay (with its report's own link), the offsets and versions tabs (with the crash history),
/// and the start-up. Served as one file from this host, so the
/// page's Content-Security-Policy can say `script-src 'self'` and allow no inline script.
///
/// Every value from the API goes into the page as a text node or an attribute (`el`, `text`),
/// never through `innerHTML`: a payload holding `<script>` shows as those characters.
enum ConsoleScript {
    static var source: String {
        [core, charts, overview, plugins, letters, replay, report, offsets, versions, crashes, boot].joined(separator: "\n")
    }
}
