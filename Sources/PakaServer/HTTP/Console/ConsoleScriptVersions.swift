extension ConsoleScript {
    /// The versions tab (swap history from `GET /plugins` with what triggered each swap,
    /// rollback, crashes and restarts) and the detail section's tabs.
    static let versions = #"""
        function versionsPanel(name) {
          const p = state.plugins.find(x => x.name === name) || {}, history = (p.history || []).slice().reverse();
          const rows = history.map(h => el("tr", {"data-version": h.version, "data-trigger": h.trigger || ""}, el("td", {}, h.version), el("td", {}, short(h.sha256, 13)),
            el("td", {}, when(h.loadedAt)), el("td", {class: "trigger", title: TRIGGERS[h.trigger] ? TRIGGERS[h.trigger][1] : ""}, TRIGGERS[h.trigger] ? TRIGGERS[h.trigger][0] : "-"), el("td", {}, h.state)));
          const parts = [el("div", {class: "table-wrap"}, el("table", {id: "versions-table"}, el("caption", {class: "visually-hidden"}, "Versions of " + name + ", newest first"),
            el("thead", {}, el("tr", {}, ["version", "sha256", "loaded", "by", "state"].map(h => el("th", {scope: "col"}, h)))), el("tbody", {}, rows)))];
          if (p.rejected) parts.push(el("p", {class: "error"}, "Last refused file (" + short(p.rejected.sha256 || "unreadable", 13) + ") at " + when(p.rejected.at) + ": " + p.rejected.reason));
          parts.push(el("h3", {}, "Crashes"), el("dl", {}, pairs([["isolation", p.isolation || "inprocess"],
            ["last crash", p.lastCrash ? p.lastCrash.reason + " during " + p.lastCrash.during + " at " + when(p.lastCrash.at) + " (" + p.lastCrash.consecutive + " in a row)" : "none"],
            ["worker restarts", p.workerRestarts || 0]])));
          if (p.crashHistory) parts.push(crashTable(name, p.crashHistory));
          if (can("operate") && history.length > 1) parts.push(el("div", {class: "actions"}, el("button", {type: "button", id: "versions-rollback", onclick: (e) => rollback(e.currentTarget, p)}, "Roll back to the previous version")));
          $("panel-versions").replaceChildren(...parts);
        }
        function openDetail(name, tab) {
          state.detail = name; $("detail").hidden = false; $("detail").dataset.plugin = name;
          $("detail-title").textContent = name;
          selectTab(tab || "letters", true);
          $("detail-title").focus();
        }
        function selectTab(tab, fresh) {
          state.tab = tab;
          for (const t of ["letters", "offsets", "versions"]) { $("tab-" + t).setAttribute("aria-selected", String(t === tab)); $("panel-" + t).hidden = t !== tab; }
          if (tab === "letters" && fresh) lettersPanel(state.detail);
          if (tab === "letters" && !fresh && !$("letters-body")) lettersPanel(state.detail);
          if (tab === "offsets") offsetsPanel(state.detail);
          if (tab === "versions") versionsPanel(state.detail);
        }
        """#
}
