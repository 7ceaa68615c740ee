extension ConsoleScript {
    /// Replay from the browser: the selected letters or every letter matching the filters →
    /// dry run (what, to which version) → confirm → replay at a rate → progress until the
    /// report is final, with a link to the report (`ConsoleScriptReport`) and the report shown.
    static let replay = #"""
        function replayControls(name) {
          return el("section", {id: "replay", "aria-labelledby": "replay-title"}, el("h3", {id: "replay-title"}, "Replay to " + name),
            el("fieldset", {}, el("legend", {}, "What"),
              el("label", {}, el("input", {type: "radio", name: "replay-what", id: "replay-selected", value: "selected", checked: true}), " the selected letters (", el("span", {id: "replay-count"}, "0"), ")"), " ",
              el("label", {}, el("input", {type: "radio", name: "replay-what", id: "replay-matching", value: "matching"}), " every letter matching the filters")),
            el("div", {class: "filters"}, el("label", {for: "replay-rate"}, "rate (events/s)", el("input", {id: "replay-rate", type: "number", min: "0.1", step: "any", value: "20"})),
              el("label", {for: "replay-force"}, "deliver again if already replayed", el("input", {id: "replay-force", type: "checkbox"}))),
            el("div", {class: "actions"}, el("button", {type: "button", id: "replay-dry-run", onclick: () => dryRun(name)}, "Dry run"),
              el("button", {type: "button", id: "replay-run", class: "primary", disabled: true, onclick: () => runReplay(name)}, "Replay")),
            el("div", {id: "replay-result", role: "status", "aria-live": "polite"}));
        }
        function updateSelection() {
          if ($("replay-count")) $("replay-count").textContent = String(letterState.selected.size);
          if ($("replay-run")) $("replay-run").disabled = true;  // a changed selection needs a new dry run
        }
        function replaySelection() {
          const base = {force: $("replay-force").checked};
          if ($("replay-selected").checked) return Object.assign(base, {ids: [...letterState.selected]});
          const f = Object.assign({}, letterState.filters);
          if (!f.errorContains && !f.since && !f.until) f.since = "1970-01-01T00:00:00Z";
          return Object.assign(base, f);
        }
        async function dryRun(name) {
          const selection = replaySelection(), out = $("replay-result");
          if (selection.ids && !selection.ids.length) { out.replaceChildren(el("p", {class: "error"}, "Select letters first (or choose every letter matching the filters).")); return; }
          try {
            const r = (await post("/plugins/" + encodeURIComponent(name) + "/dead-letters/replay", Object.assign({dryRun: true}, selection))).replay;
            const p = state.plugins.find(x => x.name === name) || {};
            const would = r.items.filter(i => i.outcome === "would-deliver");
            out.replaceChildren(el("p", {id: "dry-run-summary"}, "Dry run: " + would.length + " letter(s) would go back to " + name + " only, version " + (p.version || "?") +
                " (" + short(p.sha256 || "", 13) + "); " + r.skipped + " already replayed (skipped)" + (r.truncated ? "; selection truncated" : "") + "."),
              el("ul", {}, would.slice(0, 20).map(i => el("li", {}, short(i.eventId || i.letter, 13) + ": " + short(i.reason, 120)))));
            $("replay-run").disabled = would.length === 0 && !selection.force;
            $("replay-run").dataset.count = String(would.length);
          } catch (e) { out.replaceChildren(el("p", {class: "error"}, "dry run failed: " + e.message)); }
        }
        async function runReplay(name) {
          const selection = replaySelection(), rate = Number($("replay-rate").value), out = $("replay-result");
          if (!(rate > 0)) { out.replaceChildren(el("p", {class: "error"}, "The rate must be a number above 0.")); return; }
          const ok = await confirmDialog("Replay to " + name + "?", [el("p", {}, ($("replay-run").dataset.count || "?") + " letter(s) go back to " + name +
            " only (not re-published to the topic), at most " + rate + " per second.")], "Replay");
          if (!ok) return;
          $("replay-run").disabled = true;
          try {
            let r = (await post("/plugins/" + encodeURIComponent(name) + "/dead-letters/replay", Object.assign({ratePerSecond: rate}, selection))).replay;
            const path = "/plugins/" + encodeURIComponent(name) + "/dead-letters/replays/" + encodeURIComponent(r.id);
            while (r.status === "running") {
              showProgress(out, r, path, name);
              await new Promise(res => setTimeout(res, 1000));
              r = (await api(path)).replay;
            }
            showProgress(out, r, path, name);
            loadLetters(name, false);
          } catch (e) { out.replaceChildren(el("p", {class: "error"}, "replay failed: " + e.message)); }
        }
        function showProgress(out, r, path, name) {
          const finished = r.delivered + r.failedAgain + r.skipped + r.notDelivered;
          out.replaceChildren(
            el("p", {id: "replay-summary", "data-status": r.status, class: r.status === "running" ? "" : (r.failedAgain || r.notDelivered ? "error" : "ok")},
               "Replay " + r.status + ": delivered " + r.delivered + ", failed again " + r.failedAgain + ", skipped " + r.skipped + ", not delivered " + r.notDelivered +
               " of " + r.selected + "."),
            el("progress", {max: String(Math.max(1, r.selected)), value: String(finished), "aria-label": "replay progress"}),
            el("p", {class: "note"}, el("a", {id: "replay-report-link", href: reportHash(name, r.id), "data-status": r.status},
              r.status === "running" ? "Replay report " + r.id + " (running)" : "Replay report " + r.id), " (API: GET " + path + ")"),
            el("button", {type: "button", id: "replay-report", onclick: async (e) => {
              const button = e.currentTarget;  // null once the handler awaits
              const rep = await api(path).catch(err => ({error: err.message}));
              button.replaceWith(el("pre", {id: "replay-report-json", tabindex: "0"}, JSON.stringify(rep, null, 2)));
            }}, "Show the report"));
        }
        """#
}
