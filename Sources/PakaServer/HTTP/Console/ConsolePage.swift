/// The console's single page: server-rendered HTML, inline CSS, a little plain JavaScript and
/// SVG sparklines, nothing fetched from anywhere but this host's own API.
///
/// Rates and lag are sampled from the host's counters (`GET /plugins`, `GET …/offsets`) every
/// two seconds while the page is open; the sparklines show the last two minutes.
enum ConsolePage {
    static func html(brokers: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Paka console</title>
        <style>\(css)</style></head>
        <body>
        <header><h1>Paka console</h1><span id="who"></span><button id="logout" hidden>Forget token</button></header>
        <section id="login"><form id="login-form">
          <label for="token">Bearer token (<code>paka token --sub NAME [--admin]</code>)</label>
          <input id="token" type="password" autocomplete="off" required>
          <button id="use-token" type="submit">Open console</button>
          <p id="login-error" class="error"></p>
        </form></section>
        <p id="status" class="note">Kafka: \(escape(brokers))</p>
        <main id="plugins" aria-live="polite"></main>
        <script>\(script)</script>
        </body></html>
        """
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    private static let css = """
        body{font:15px/1.4 system-ui,sans-serif;margin:0;padding:0 12px 24px;background:#f6f7f9;color:#1c1f24}
        header{display:flex;gap:12px;align-items:center;flex-wrap:wrap}h1{font-size:1.3em;margin:12px 0}
        #login form{display:flex;flex-direction:column;gap:8px;max-width:480px}input{font:inherit;padding:8px}
        button{font:inherit;padding:6px 10px;border:1px solid #889;border-radius:6px;background:#fff;cursor:pointer}
        button:disabled{opacity:.5}.error{color:#b00020}.note{color:#556;font-size:.9em}
        #plugins{display:grid;grid-template-columns:repeat(auto-fill,minmax(290px,1fr));gap:12px}
        .plugin{background:#fff;border:1px solid #d5d8de;border-radius:10px;padding:12px;min-width:0}
        .plugin h2{font-size:1.1em;margin:0 0 6px;display:flex;justify-content:space-between;gap:8px}
        .state{font-size:.8em;padding:2px 8px;border-radius:10px;background:#e3e6ea}
        .state.active{background:#d4f4dd}.state.paused{background:#fff1c2}.state.failed,.state.crashed{background:#ffd9d9}
        dl{display:grid;grid-template-columns:auto 1fr;gap:2px 10px;margin:6px 0}dt{color:#556}dd{margin:0;overflow-wrap:anywhere}
        svg{width:100%;height:34px;background:#f2f4f7;border-radius:4px}polyline{fill:none;stroke:#2f6fde;stroke-width:1.5}
        .actions{display:flex;flex-wrap:wrap;gap:6px;margin-top:8px}ul{margin:4px 0;padding-left:18px;font-size:.9em}
        """

    private static let script = #"""
        "use strict";
        const KEY = "pakaToken", samples = {}, letters = {};
        let timer = null;
        const $ = (id) => document.getElementById(id);
        function token() { return sessionStorage.getItem(KEY); }
        function claims(t) {
          try { return JSON.parse(atob(t.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))); } catch (e) { return {}; }
        }
        async function api(path, options) {
          const response = await fetch(path, Object.assign({headers: {"Authorization": "Bearer " + token(), "Content-Type": "application/json"}}, options || {}));
          const body = await response.json().catch(() => ({}));
          if (!response.ok) { const e = new Error(body.error || ("HTTP " + response.status)); e.status = response.status; throw e; }
          return body;
        }
        function el(tag, attrs, ...children) {
          const node = document.createElement(tag);
          for (const [k, v] of Object.entries(attrs || {})) { if (k === "class") node.className = v; else node.setAttribute(k, v); }
          for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(c == null ? "-" : String(c)));
          return node;
        }
        function sparkline(values) {
          const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
          svg.setAttribute("viewBox", "0 0 100 30"); svg.setAttribute("preserveAspectRatio", "none");
          const max = Math.max(1, ...values), line = document.createElementNS(svg.namespaceURI, "polyline");
          line.setAttribute("points", values.map((v, i) => (values.length < 2 ? 0 : i * 100 / (values.length - 1)).toFixed(1) + "," + (29 - v * 28 / max).toFixed(1)).join(" "));
          svg.append(line); return svg;
        }
        function record(name, handled, lag) {
          const list = samples[name] = samples[name] || [], now = Date.now();
          const last = list[list.length - 1];
          const rate = last ? Math.max(0, (handled - last.handled) * 1000 / Math.max(1, now - last.t)) : 0;
          list.push({t: now, handled, lag, rate}); if (list.length > 60) list.shift();
          return list;
        }
        async function act(button, path, body) {
          button.disabled = true;
          try { const answer = await api(path, {method: "POST", body: JSON.stringify(body || {})}); $("status").textContent = answer.message || "done"; }
          catch (e) { $("status").textContent = "failed: " + e.message; }
          finally { button.disabled = false; refresh(); }
        }
        async function replay(button, name) {
          const filter = prompt("Replay dead letters of " + name + " whose reason contains (empty: all):", "");
          if (filter === null) return;
          const selection = filter ? {errorContains: filter} : {since: "1970-01-01T00:00:00Z"};
          try {
            const dry = await api("/plugins/" + name + "/dead-letters/replay", {method: "POST", body: JSON.stringify(Object.assign({dryRun: true}, selection))});
            const r = dry.replay;
            if (!confirm("Dry run: " + (r.selected - r.skipped) + " letter(s) would go back to " + name + " only (" + r.skipped + " already replayed). Replay now?")) return;
            button.disabled = true;
            const done = await api("/plugins/" + name + "/dead-letters/replay", {method: "POST", body: JSON.stringify(selection)});
            $("status").textContent = "replay " + done.replay.id + ": " + done.replay.status + ", delivered " + done.replay.delivered + ", failed again " + done.replay.failedAgain;
          } catch (e) { $("status").textContent = "replay failed: " + e.message; }
          finally { button.disabled = false; refresh(); }
        }
        function card(p, admin) {
          const c = p.counters || {}, state = p.state === "active" && p.paused ? "paused" : p.state;
          const list = record(p.name, c.handled || 0, p.lag == null ? 0 : p.lag);
          const node = el("article", {class: "plugin", "data-plugin": p.name, "data-state": state},
            el("h2", {}, p.name, el("span", {class: "state " + state}, state)),
            el("dl", {},
              el("dt", {}, "version"), el("dd", {}, (p.version || "-") + " (abi " + (p.abi || "-") + ")"),
              el("dt", {}, "isolation"), el("dd", {}, p.isolation || "inprocess"),
              el("dt", {}, "swaps"), el("dd", {}, (p.history || []).map(h => h.version + (h.state === "active" ? "*" : "")).join(" → ") || "-"),
              el("dt", {}, "events/s"), el("dd", {}, list[list.length - 1].rate.toFixed(1)),
              el("dt", {}, "lag"), el("dd", {}, p.lag == null ? "-" : p.lag),
              el("dt", {}, "handled"), el("dd", {}, c.handled),
              el("dt", {}, "retries"), el("dd", {}, c.retried),
              el("dt", {}, "dead letters"), el("dd", {}, c.deadLettered),
              el("dt", {}, "crashes"), el("dd", {}, p.crashes != null ? p.crashes : (c.crashes != null ? c.crashes : 0)),
              el("dt", {}, "last error"), el("dd", {}, p.lastError || "-")),
            el("div", {class: "note"}, "events/s"), sparkline(list.map(s => s.rate)),
            el("div", {class: "note"}, "lag"), sparkline(list.map(s => s.lag)));
          const reasons = letters[p.name] || [];
          if (reasons.length) node.append(el("div", {class: "note"}, "recent dead letters"), el("ul", {}, ...reasons.map(l => el("li", {}, l.eventId + ": " + l.reason))));
          if (admin) {
            const row = el("div", {class: "actions"});
            const b = (label, handler) => { const x = el("button", {type: "button", "data-action": label}, label); x.onclick = () => handler(x); row.append(x); };
            if (p.state === "active") b(p.paused ? "resume" : "pause", x => act(x, "/plugins/" + p.name + "/" + (p.paused ? "resume" : "pause")));
            b("replay", x => replay(x, p.name));
            if ((p.history || []).length > 1) b("rollback", x => confirm("Roll " + p.name + " back to the previous version?") && act(x, "/plugins/" + p.name + "/rollback"));
            b(p.state === "disabled" ? "enable" : "disable", x => act(x, "/plugins/" + p.name + "/" + (p.state === "disabled" ? "enable" : "disable")));
            node.append(row);
          }
          return node;
        }
        async function refresh() {
          if (!token()) return;
          try {
            const plugins = await api("/plugins");
            await Promise.all(plugins.map(async p => {
              if (p.state !== "active") return;
              try { p.lag = (await api("/plugins/" + p.name + "/offsets")).totalLag; } catch (e) { p.lag = null; }
              try { letters[p.name] = (await api("/plugins/" + p.name + "/dead-letters?limit=3")).letters; } catch (e) { letters[p.name] = []; }
            }));
            const admin = claims(token()).admin === true;
            $("plugins").replaceChildren(...plugins.map(p => card(p, admin)));
            $("status").dataset.loaded = "true";
          } catch (e) {
            if (e.status === 401) { logout("token refused: " + e.message); return; }
            $("status").textContent = "cannot load plugins: " + e.message;
          }
        }
        function show() {
          const signedIn = !!token();
          $("login").hidden = signedIn; $("logout").hidden = !signedIn;
          const c = signedIn ? claims(token()) : {};
          $("who").textContent = signedIn ? (c.sub || "?") + (c.admin ? " (admin)" : "") : "";
          if (signedIn) { refresh(); timer = timer || setInterval(refresh, 2000); }
        }
        function logout(message) {
          sessionStorage.removeItem(KEY); clearInterval(timer); timer = null;
          $("plugins").replaceChildren(); $("login-error").textContent = message || ""; show();
        }
        $("login-form").onsubmit = (event) => { event.preventDefault(); sessionStorage.setItem(KEY, $("token").value.trim()); $("token").value = ""; show(); };
        $("logout").onclick = () => logout();
        show();
        """#
}
