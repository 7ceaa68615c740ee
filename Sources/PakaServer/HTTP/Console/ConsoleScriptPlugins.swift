extension ConsoleScript {
    /// One card per plugin: state, version, counters, its lanes, its own rate and lag charts,
    /// and the operator buttons the token's scope allows.
    static let plugins = #"""
        function pluginState(p) { return p.state === "active" && p.paused ? "paused" : p.state; }
        function recordPlugin(p) {
          const s = state.perPlugin[p.name] = state.perPlugin[p.name] || {samples: [], lag: null};
          const now = Date.now(), handled = (p.counters || {}).handled || 0, last = s.samples[s.samples.length - 1];
          const rate = last ? Math.max(0, (handled - last.handled) * 1000 / Math.max(1, now - last.t)) : 0;
          s.samples.push({t: now, handled, rate, lag: s.lag || 0});
          while (now - s.samples[0].t > WINDOW_MS + 5000) s.samples.shift();
          return s;
        }
        /* The consumer's lane gauges (GET /plugins → lanes), with their age once they are stale
           (a stopped consumer's last figures stay). */
        function lanesLine(l) {
          if (!l) return "-";
          const age = (Date.now() - new Date(l.observedAt).getTime()) / 1000;
          return el("span", {class: "lanes", "data-in-flight": l.inFlight, "data-held": l.heldForRetry, "data-busy": l.busyLanes, "data-lanes": l.lanes},
            l.busyLanes + " of " + l.lanes + " busy, " + l.inFlight + " in flight, " + l.heldForRetry + " held for retry" + (age > 10 ? " (as of " + when(l.observedAt) + ")" : ""));
        }
        async function act(button, path, body, done) {
          button.disabled = true;
          try { const answer = await post(path, body); say(answer.message || "done"); if (done) done(answer); }
          catch (e) { say(path + " failed: " + e.message, true); }
          finally { button.disabled = false; refresh(); }
        }
        function card(p) {
          const c = p.counters || {}, st = pluginState(p), s = recordPlugin(p), crash = p.lastCrash;
          const node = el("article", {class: "plugin", "data-plugin": p.name, "data-state": st, "aria-labelledby": "card-" + p.name},
            el("h3", {id: "card-" + p.name}, p.name, el("span", {class: "state " + st}, st)),
            el("dl", {}, pairs([
              ["version", (p.version || "-") + " (abi " + (p.abi || "-") + ", sha256 " + short(p.sha256 || "-", 13) + ")"],
              ["isolation", p.isolation || "inprocess"], ["topics", (p.topics || []).join(", ")],
              ["handled", c.handled], ["retries", c.retried], ["dead letters", c.deadLettered],
              ["lag", s.lag == null ? "-" : s.lag], ["lanes", lanesLine(p.lanes)],
              ["crashes", crash ? crash.reason + " during " + crash.during + " at " + when(crash.at) + (p.workerRestarts ? ", " + p.workerRestarts + " restart(s)" : "") : (p.workerRestarts || 0)],
              ["last error", p.lastError || (p.rejected ? "refused " + p.rejected.reason : "-")]])),
            chart(p.name + " events per second", s.samples.map(x => ({t: x.t, value: x.rate})), "events/s", "spark"),
            chart(p.name + " lag", s.samples.map(x => ({t: x.t, value: x.lag})), "messages", "spark"));
          const row = el("div", {class: "actions"});
          const b = (label, handler, extra) => row.append(el("button", Object.assign({type: "button", "data-action": label, onclick: (e) => handler(e.currentTarget),
                                                                                      "aria-label": label + " " + p.name}, extra || {}), label));
          b("details", () => openDetail(p.name, "letters"));
          if (can("operate")) {
            if (p.state === "active") b(p.paused ? "resume" : "pause", x => act(x, "/plugins/" + p.name + "/" + (p.paused ? "resume" : "pause")));
            if ((p.history || []).length > 1) b("rollback", x => rollback(x, p));
            if (p.state === "crashed" || p.state === "failed") b("restart", x => act(x, "/plugins/" + p.name + "/restart"));
            b(p.state === "disabled" ? "enable" : "disable", async x => {
              const verb = p.state === "disabled" ? "enable" : "disable";
              if (verb === "enable" || await confirmDialog("Disable " + p.name + "?", [el("p", {}, "Its consumer stops and plugins.json says enabled: false until enabled again.")], "Disable"))
                act(x, "/plugins/" + p.name + "/" + verb);
            });
          }
          node.append(row);
          return node;
        }
        async function rollback(button, p) {
          const history = p.history || [], previous = history.filter(h => h.state !== "active").slice(-1)[0];
          const ok = await confirmDialog("Roll " + p.name + " back?", [el("p", {}, "From " + (p.version || "?") + " (" + short(p.sha256 || "", 13) + ") to " +
            (previous ? previous.version + " (" + short(previous.sha256, 13) + ", loaded " + when(previous.loadedAt) + ")" : "the previous version") + ".")], "Roll back");
          if (ok) act(button, "/plugins/" + p.name + "/rollback");
        }
        """#
}
