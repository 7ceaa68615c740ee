extension ConsoleScript {
    /// The refresh loop (every 2 s, pausable), sign-in and sign-out, and the event handlers of
    /// the static markup.
    static let boot = #"""
        async function refresh() {
          if (!token()) return;
          await loadOverview();
          const note = $("scope-note"), granted = [...scopes()].join(" ") || "none";
          note.hidden = can("read") && can("operate");
          note.textContent = !can("read")
            ? "This token has scope '" + granted + "': it may publish events and upload files but not read plugins, dead letters or offsets, so the console has nothing to show. Sign in with a token that has 'read' (and 'operate' for the controls)."
            : "This token has scope '" + granted + "': the console shows data but offers no operator controls (they need 'operate').";
          if (!can("read")) { $("plugins").replaceChildren(); $("status").dataset.loaded = "true"; return; }
          try {
            const plugins = await api("/plugins");
            state.plugins = plugins;
            const connected = state.kafka && state.kafka.kafka && state.kafka.kafka.connected;
            await Promise.all(plugins.map(async p => {
              const s = state.perPlugin[p.name] = state.perPlugin[p.name] || {samples: [], lag: null};
              if (p.state !== "active" || !connected) { s.lag = null; return; }
              try { s.lag = (await api("/plugins/" + encodeURIComponent(p.name) + "/offsets")).totalLag; } catch (e) { s.lag = null; }
            }));
            // Keep keyboard focus on the same button across the re-render.
            const focused = document.activeElement && document.activeElement.closest ? document.activeElement.closest("article.plugin") : null;
            const focusKey = focused ? [focused.dataset.plugin, document.activeElement.dataset.action] : null;
            $("plugins").replaceChildren(...plugins.map(card));
            if (focusKey) { const again = document.querySelector(`article.plugin[data-plugin="${CSS.escape(focusKey[0])}"] button[data-action="${CSS.escape(focusKey[1] || "")}"]`); if (again) again.focus(); }
            sampleTotals(plugins);
            // Not while the operator is choosing something in the tab (a select, an input) or confirming.
            const a = document.activeElement, busy = $("confirm").open || (a && a.closest && a.closest("#detail") && /^(INPUT|SELECT|TEXTAREA)$/.test(a.tagName));
            if (state.detail && !busy && state.tab !== "letters") selectTab(state.tab, false);
            $("refreshed").textContent = "updated " + new Date().toLocaleTimeString();
            $("status").dataset.loaded = "true";
          } catch (e) {
            if (e.status === 401) { logout("token refused: " + e.message); return; }
            say("cannot load plugins: " + e.message, true);
          }
        }
        function schedule() {
          clearInterval(state.timer); state.timer = null;
          if (!state.paused && token()) state.timer = setInterval(refresh, 2000);
          const b = $("refresh-toggle");
          b.textContent = state.paused ? "Resume auto-refresh" : "Pause auto-refresh";
          b.setAttribute("aria-pressed", String(state.paused));
        }
        function show() {
          const signedIn = !!token();
          $("login").hidden = signedIn; $("logout").hidden = !signedIn; $("refresh-toggle").hidden = !signedIn; $("app").hidden = !signedIn;
          const c = signedIn ? claims(token()) : {};
          $("who").textContent = signedIn ? (c.sub || "?") + " (" + ([...scopes()].join(" ") || "no scope") + ")" : "";
          if (signedIn) refresh();
          schedule();
        }
        function logout(message) {
          sessionStorage.removeItem(KEY); state.detail = null; $("detail").hidden = true;
          $("plugins").replaceChildren(); $("login-error").textContent = message || ""; show();
        }
        $("login-form").addEventListener("submit", (event) => { event.preventDefault(); sessionStorage.setItem(KEY, $("token").value.trim()); $("token").value = ""; show(); openLinkedReport(); });
        $("logout").addEventListener("click", () => logout());
        $("refresh-toggle").addEventListener("click", () => { state.paused = !state.paused; schedule(); if (!state.paused) refresh(); });
        $("detail-close").addEventListener("click", () => { $("detail").hidden = true; state.detail = null; });
        for (const t of ["letters", "offsets", "versions"]) $("tab-" + t).addEventListener("click", () => selectTab(t, false));
        $("report-close").addEventListener("click", closeReport);
        window.addEventListener("hashchange", openLinkedReport);
        show();
        openLinkedReport();
        """#
}
