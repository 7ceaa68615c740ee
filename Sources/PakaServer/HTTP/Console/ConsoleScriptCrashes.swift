extension ConsoleScript {
    /// The versions tab's crash history (process isolation): each crash with its signal, the
    /// hook and the event it happened on, and each worker restart, newest first. Also the
    /// labels of what triggered a swap.
    static let crashes = #"""
        /* history[].trigger → [what the "by" column says, its tooltip]. */
        const TRIGGERS = {
          startup: ["host start", "loaded when the host started"],
          file: ["file", "the plugin-directory watcher saw the plugin's file or plugins.json change"],
          api: ["API", "an API request applied plugins.json (reload, enable)"],
          rollback: ["API rollback", "POST /plugins/{name}/rollback"],
          restart: ["API restart", "POST /plugins/{name}/restart"]};
        function crashTable(name, events) {
          if (!events.length) return el("p", {id: "crash-history-empty", class: "note"}, "No crash or worker restart in this run.");
          const row = (c) => el("tr", {"data-kind": c.kind},
            el("td", {}, when(c.at)), el("td", {}, c.kind), el("td", {class: "reason"}, c.signal || c.reason),
            el("td", {}, c.during || "-"), el("td", {class: "wide-only"}, c.eventId ? short(c.eventId, 40) : "-"),
            el("td", {class: "wide-only"}, c.consecutive == null ? "-" : c.consecutive), el("td", {}, c.version || "-"));
          return el("div", {class: "table-wrap"}, el("table", {id: "crash-history"},
            el("caption", {}, "Crashes and worker restarts of " + name + " (newest first, last " + events.length + ")"),
            el("thead", {}, el("tr", {}, [["when"], ["what"], ["signal or reason"], ["during"], ["event", "wide-only"], ["in a row", "wide-only"], ["version"]]
              .map(([h, c]) => el("th", {scope: "col", class: c}, h)))),
            el("tbody", {}, events.map(row))));
        }
        """#
}
