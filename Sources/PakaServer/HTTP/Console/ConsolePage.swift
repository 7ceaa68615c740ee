/// The console's one HTML page: markup only. Its style (`ConsoleStyle`) and script
/// (`ConsoleScript`) are served from `/console/console.css` and `/console/console.js`, the same
/// origin, so the Content-Security-Policy can forbid every inline script and style.
///
/// The server renders nothing from the API into the page: the script fills it with text nodes
/// (never `innerHTML`), so event payloads and plugin messages cannot become markup.
enum ConsolePage {
    static func html(brokers: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Paka console</title>
        <link rel="stylesheet" href="/console/console.css"></head>
        <body>
        <header>
          <h1>Paka console</h1>
          <span id="who"></span>
          <span class="spacer"></span>
          <span id="refreshed" class="note" aria-live="off"></span>
          <button id="refresh-toggle" type="button" aria-pressed="false" hidden>Pause auto-refresh</button>
          <button id="logout" type="button" hidden>Forget token</button>
        </header>
        <section id="login" aria-labelledby="login-title"><h2 id="login-title" class="visually-hidden">Sign in</h2>
        <form id="login-form">
          <label for="token">Bearer token (<code>paka token --sub NAME --scope "read operate"</code>)</label>
          <input id="token" type="password" autocomplete="off" required>
          <button id="use-token" type="submit">Open console</button>
          <p id="login-error" class="error" role="alert"></p>
        </form></section>
        <p id="fallback" class="banner" role="status" hidden></p>
        <p id="status" class="note" role="status" aria-live="polite">Kafka: \(escape(brokers))</p>
        <main id="app" hidden>
          <p id="scope-note" class="banner" hidden></p>
          <section id="overview" aria-labelledby="overview-title">
            <h2 id="overview-title">Overview</h2>
            <div class="panels">
              <div class="panel"><h3>Kafka</h3><dl id="kafka"></dl><h4>Topics</h4><ul id="topics" class="topics"></ul></div>
              <div class="panel"><h3>Host</h3><dl id="host"></dl></div>
              <div class="panel wide"><h3>Totals, last 2 minutes</h3><div id="totals" class="charts"></div></div>
            </div>
          </section>
          <section aria-labelledby="plugins-title"><h2 id="plugins-title">Plugins</h2><div id="plugins" aria-live="polite"></div></section>
          <section id="detail" aria-labelledby="detail-title" hidden>
            <div class="detail-head"><h2 id="detail-title" tabindex="-1"></h2><button id="detail-close" type="button">Close</button></div>
            <div role="tablist" aria-label="Plugin detail">
              <button type="button" role="tab" id="tab-letters" aria-controls="panel-letters" aria-selected="true">Dead letters</button>
              <button type="button" role="tab" id="tab-offsets" aria-controls="panel-offsets" aria-selected="false">Offsets and lag</button>
              <button type="button" role="tab" id="tab-versions" aria-controls="panel-versions" aria-selected="false">Versions</button>
            </div>
            <div id="panel-letters" role="tabpanel" aria-labelledby="tab-letters"></div>
            <div id="panel-offsets" role="tabpanel" aria-labelledby="tab-offsets" hidden></div>
            <div id="panel-versions" role="tabpanel" aria-labelledby="tab-versions" hidden></div>
          </section>
          <section id="report" aria-labelledby="report-title" hidden>
            <div class="detail-head"><h2 id="report-title" tabindex="-1">Replay report</h2><button id="report-close" type="button">Close report</button></div>
            <div id="report-body" aria-live="polite"></div>
          </section>
        </main>
        <dialog id="confirm" aria-labelledby="confirm-title">
          <form method="dialog">
            <h2 id="confirm-title"></h2>
            <div id="confirm-body"></div>
            <div class="actions"><button id="confirm-cancel" value="cancel" type="submit">Cancel</button>
            <button id="confirm-ok" value="ok" type="submit" class="primary">Confirm</button></div>
          </form>
        </dialog>
        <script src="/console/console.js"></script>
        </body></html>
        """
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
