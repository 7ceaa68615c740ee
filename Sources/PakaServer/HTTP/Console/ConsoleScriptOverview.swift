extension ConsoleScript {
    /// The overview: Kafka and its topics (public `GET /kafka/status`), the host (`GET /host`),
    /// the fallback banner, and the totals sampled at every refresh.
    static let overview = #"""
        async function loadOverview() {
          const status = await fetch("/kafka/status").then(r => r.json()).catch(() => null);
          state.kafka = status;
          if (status) {
            const k = status.kafka || {};
            $("kafka").replaceChildren(...pairs([["connection", k.connected ? "connected" : "not connected"], ["brokers", k.brokers], ["client id", k.clientId],
                                                 ["consumer groups", (status.consumers || []).join(", ") || "none"]]));
            $("topics").replaceChildren(...(status.topics || []).map(t => el("li", {}, t)));
            const fallback = $("fallback");
            fallback.hidden = !!k.connected;
            fallback.textContent = k.connected ? "" : "Fallback mode: Kafka (" + k.brokers + ") is not connected. Events are processed synchronously in the host, " +
              "dead letters are read from the local spool, and offsets and lag are not available until Kafka is back.";
          }
          if (!can("read")) {
            $("host").replaceChildren(...pairs([["host", "needs a token with the 'read' scope"]]));
            $("totals").replaceChildren(el("p", {class: "note"}, "The totals need a token with the 'read' scope."));
            return;
          }
          try {
            const h = await api("/host");
            $("host").replaceChildren(...pairs([["version", h.version], ["uptime", duration(h.uptimeSeconds)], ["started", when(h.startedAt)],
                                                ["memory (resident)", bytes(h.residentBytes)], ["pid", h.pid], ["mode", h.mode], ["plugins", h.plugins]]));
          } catch (e) { $("host").replaceChildren(...pairs([["host", "cannot load: " + e.message]])); }
        }
        /* One sample of the totals per refresh; rates from the difference of the handled counters. */
        function sampleTotals(plugins) {
          const now = Date.now(), last = state.samples[state.samples.length - 1];
          let handled = 0, lag = 0, dead = 0, crashes = 0;
          for (const p of plugins) {
            const c = p.counters || {};
            handled += c.handled || 0; dead += c.deadLettered || 0; crashes += p.workerRestarts || 0;
            lag += state.perPlugin[p.name] && state.perPlugin[p.name].lag || 0;
          }
          const rate = last ? Math.max(0, (handled - last.handled) * 1000 / Math.max(1, now - last.t)) : 0;
          state.samples.push({t: now, handled, rate, lag, dead, crashes});
          while (state.samples.length && now - state.samples[0].t > WINDOW_MS + 5000) state.samples.shift();
          const series = (key) => state.samples.map(s => ({t: s.t, value: s[key]}));
          $("totals").replaceChildren(chart("events handled per second", series("rate"), "events/s"), chart("lag, all plugins", series("lag"), "messages"),
                                      chart("dead letters (counted this run)", series("dead"), "letters"), chart("worker restarts after crashes", series("crashes"), "restarts"));
        }
        """#
}
