extension ConsoleScript {
    /// State, the API call, element helpers, formatting, the token's scopes, the confirmation
    /// dialog.
    static let core = #"""
        "use strict";
        const KEY = "pakaToken";
        const state = {plugins: [], samples: [], perPlugin: {}, detail: null, tab: "letters", paused: false, timer: null, kafka: null};
        const $ = (id) => document.getElementById(id);
        function token() { return sessionStorage.getItem(KEY); }
        function claims(t) {
          try { return JSON.parse(atob(t.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))); } catch (e) { return {}; }
        }
        /* The same rule as the host (TokenClaims.scopes): admin = all; no scope claim = publish read.
           Only decides what the page offers; the host enforces it on every request. */
        function scopes() {
          const c = claims(token() || "");
          if (c.admin === true) return new Set(["publish", "read", "operate"]);
          if (typeof c.scope !== "string") return new Set(["publish", "read"]);
          return new Set(c.scope.split(" ").filter(Boolean));
        }
        const can = (scope) => scopes().has(scope);
        async function api(path, options) {
          const response = await fetch(path, Object.assign({headers: {"Authorization": "Bearer " + token(), "Content-Type": "application/json"}}, options || {}));
          const body = await response.json().catch(() => ({}));
          if (!response.ok) { const e = new Error(body.error || ("HTTP " + response.status)); e.status = response.status; throw e; }
          return body;
        }
        const post = (path, body) => api(path, {method: "POST", body: JSON.stringify(body || {})});
        function el(tag, attrs, ...children) {
          const node = document.createElement(tag);
          for (const [k, v] of Object.entries(attrs || {})) {
            if (v === false || v == null) continue;
            if (k === "class") node.className = v; else if (k.startsWith("on")) node.addEventListener(k.slice(2), v); else node.setAttribute(k, v === true ? "" : v);
          }
          for (const c of children.flat()) node.append(c instanceof Node ? c : document.createTextNode(c == null ? "-" : String(c)));
          return node;
        }
        function pairs(list) { return list.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]); }
        function say(message, isError) { const s = $("status"); s.textContent = message; s.className = isError ? "error" : "note"; }
        function bytes(n) { if (n == null) return "-"; const u = ["B", "KiB", "MiB", "GiB"]; let i = 0; while (n >= 1024 && i < 3) { n /= 1024; i++; } return n.toFixed(i ? 1 : 0) + " " + u[i]; }
        function duration(s) {
          s = Math.floor(s); const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
          return (d ? d + "d " : "") + (d || h ? h + "h " : "") + m + "m " + (s % 60) + "s";
        }
        function when(iso) { if (!iso) return "-"; const d = new Date(iso); return isNaN(d) ? iso : d.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z"); }
        function short(text, n) { text = String(text == null ? "" : text); return text.length > n ? text.slice(0, n - 1) + "…" : text; }
        /* A modal confirmation with a title and body nodes; resolves true on Confirm. */
        function confirmDialog(title, body, okLabel) {
          const dialog = $("confirm");
          $("confirm-title").textContent = title;
          $("confirm-body").replaceChildren(...body);
          $("confirm-ok").textContent = okLabel || "Confirm";
          return new Promise((resolve) => {
            dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), {once: true});
            dialog.returnValue = "";
            dialog.showModal();
            $("confirm-cancel").focus();
          });
        }
        """#
}
