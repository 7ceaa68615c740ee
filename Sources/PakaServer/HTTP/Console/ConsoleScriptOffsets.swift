extension ConsoleScript {
    /// Offsets and lag per partition, and moving them: offered only while the plugin is paused,
    /// with a confirmation that shows each partition's offset before → after.
    static let offsets = #"""
        async function offsetsPanel(name) {
          const panel = $("panel-offsets"), p = state.plugins.find(x => x.name === name) || {};
          let report;
          try { report = await api("/plugins/" + encodeURIComponent(name) + "/offsets"); }
          catch (e) { panel.replaceChildren(el("p", {class: "note", id: "offsets-note"}, "Offsets are not available: " + e.message)); return; }
          state.perPlugin[name] = Object.assign(state.perPlugin[name] || {samples: []}, {lag: report.totalLag});
          const rows = report.partitions.map(x => el("tr", {}, el("td", {}, x.topic), el("td", {}, x.partition), el("td", {}, x.committed == null ? "none" : x.committed),
                                                          el("td", {}, x.start), el("td", {}, x.end), el("td", {}, x.lag)));
          const table = el("div", {class: "table-wrap"}, el("table", {id: "offsets-table"}, el("caption", {class: "visually-hidden"}, "Offsets of " + name),
            el("thead", {}, el("tr", {}, ["topic", "partition", "committed", "start", "end", "lag"].map(h => el("th", {scope: "col"}, h)))), el("tbody", {}, rows)));
          const parts = [el("p", {}, "Group " + (report.group || "-") + ", consumer " + report.consumer + ", total lag " + report.totalLag + "."), table];
          if (can("operate")) parts.push(resetControls(name, p, report));
          panel.replaceChildren(...parts);
          // The refresh re-renders this tab: keep the answer of the last move in sight.
          if (state.lastReset && state.lastReset.name === name && $("reset-result")) $("reset-result").replaceChildren(...state.lastReset.nodes);
        }
        function resetControls(name, p, report) {
          const paused = !!p.paused && report.consumer === "paused";
          const target = el("select", {id: "reset-target", disabled: !paused, onchange: () => {
            $("reset-time-label").hidden = target.value !== "timestamp"; $("reset-offset-row").hidden = target.value !== "offset"; }},
            ["earliest", "latest", "timestamp", "offset"].map(v => el("option", {value: v}, v === "timestamp" ? "a time" : v === "offset" ? "an offset" : v)));
          const partition = el("select", {id: "reset-partition", disabled: !paused}, report.partitions.map(x => el("option", {value: x.topic + ":" + x.partition}, x.topic + " / " + x.partition)));
          return el("section", {id: "reset", "aria-labelledby": "reset-title"}, el("h3", {id: "reset-title"}, "Move offsets"),
            paused ? el("p", {class: "note"}, "The consumer is paused: moving its offsets is allowed.")
                   : el("p", {class: "note", id: "reset-needs-pause"}, "Pause " + name + " first: offsets move only while its consumer is paused (it is " + report.consumer + ")."),
            el("div", {class: "filters"}, el("label", {for: "reset-target"}, "to", target),
              el("label", {for: "reset-time", hidden: true, id: "reset-time-label"}, "time (UTC)", el("input", {id: "reset-time", type: "datetime-local", disabled: !paused})),
              el("span", {id: "reset-offset-row", hidden: true}, el("label", {for: "reset-partition"}, "partition", partition),
                 el("label", {for: "reset-offset"}, "offset", el("input", {id: "reset-offset", type: "number", min: "0", step: "1", disabled: !paused})))),
            el("div", {class: "actions"}, el("button", {type: "button", id: "reset-offsets", class: "danger", disabled: !paused, onclick: (e) => resetOffsets(e.currentTarget, name, report)}, "Move offsets…")),
            el("div", {id: "reset-result", role: "status"}));
        }
        async function resetOffsets(button, name, report) {
          const to = $("reset-target").value;
          let body, expect = (x) => "?";
          if (to === "earliest" || to === "latest") { body = {to}; expect = (x) => to === "earliest" ? x.start : x.end; }
          else if (to === "timestamp") {
            if (!$("reset-time").value) { $("reset-result").textContent = "Choose a time."; return; }
            body = {timestamp: new Date($("reset-time").value + "Z").toISOString()}; expect = () => "first offset at or after " + body.timestamp;
          } else {
            const [topic, part] = $("reset-partition").value.split(/:(?=[^:]*$)/), offset = Number($("reset-offset").value);
            if (!Number.isInteger(offset) || offset < 0) { $("reset-result").textContent = "The offset must be a whole number ≥ 0."; return; }
            body = {offsets: [{topic, partition: Number(part), offset}]};
            expect = (x) => x.topic === topic && String(x.partition) === part ? offset : "unchanged";
          }
          const lines = report.partitions.map(x => el("li", {}, x.topic + "/" + x.partition + ": " + (x.committed == null ? "none" : x.committed) + " → " + expect(x)));
          if (!await confirmDialog("Move the offsets of " + name + "?", [el("p", {}, "Committed offset before → after, per partition:"), el("ul", {id: "reset-preview"}, lines)], "Move offsets")) return;
          button.disabled = true;
          try {
            const moved = await post("/plugins/" + encodeURIComponent(name) + "/offsets", body);
            const after = new Map(moved.after.map(x => [x.topic + ":" + x.partition, x]));
            const nodes = [el("p", {id: "reset-done", class: "ok"}, "Moved to " + moved.target + " at " + new Date().toLocaleTimeString() + ":"),
              el("ul", {}, moved.before.map(x => { const a = after.get(x.topic + ":" + x.partition) || {};
                return el("li", {}, x.topic + "/" + x.partition + ": " + (x.committed == null ? "none" : x.committed) + " → " + (a.committed == null ? "none" : a.committed) + " (lag " + a.lag + ")"); }))];
            state.lastReset = {name, nodes};
            $("reset-result").replaceChildren(...nodes);
          } catch (e) { $("reset-result").replaceChildren(el("p", {class: "error"}, "not moved: " + e.message)); }
          finally { button.disabled = false; }
        }
        """#
}
