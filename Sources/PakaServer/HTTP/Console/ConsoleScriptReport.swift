extension ConsoleScript {
    /// A replay report at its own address in the console (`/console#replay/<plugin>/<id>`): the
    /// link the replay progress shows, which an operator can keep, reload or hand to a colleague
    /// holding a token. The API's report URL itself needs the Bearer header, so a plain link to
    /// it would answer 401 in the browser.
    static let report = #"""
        function reportHash(name, id) { return "#replay/" + encodeURIComponent(name) + "/" + encodeURIComponent(id); }
        function linkedReport() {
          const m = /^#replay\/([^/]+)\/([^/]+)$/.exec(location.hash);
          if (!m) return null;
          try { return {name: decodeURIComponent(m[1]), id: decodeURIComponent(m[2])}; } catch (e) { return null; }
        }
        function closeReport() {
          $("report").hidden = true;
          if (linkedReport()) history.replaceState(null, "", location.pathname + location.search);
        }
        async function openLinkedReport() {
          const link = linkedReport();
          if (!link || !token()) return;
          const path = "/plugins/" + encodeURIComponent(link.name) + "/dead-letters/replays/" + encodeURIComponent(link.id);
          $("report").hidden = false;
          $("report-title").textContent = "Replay report " + link.id + " (" + link.name + ")";
          const body = $("report-body");
          body.replaceChildren(el("p", {class: "note"}, "Loading GET " + path + "…"));
          $("report-title").focus();
          try {
            const r = (await api(path)).replay;
            const row = (i) => el("tr", {"data-outcome": i.outcome}, el("td", {}, short(i.eventId || i.letter, 40)), el("td", {}, i.outcome), el("td", {class: "reason"}, i.reason || "-"));
            body.replaceChildren(
              el("p", {id: "report-summary", "data-status": r.status, class: r.status === "running" ? "" : (r.failedAgain || r.notDelivered ? "error" : "ok")},
                 r.status + ": delivered " + r.delivered + ", failed again " + r.failedAgain + ", skipped " + r.skipped + ", not delivered " + r.notDelivered + " of " + r.selected + "."),
              el("dl", {}, pairs([["requested by", r.requestedBy], ["requested", when(r.requestedAt)], ["finished", when(r.finishedAt)],
                ["rate", r.ratePerSecond ? r.ratePerSecond + " per second" : "-"], ["force", r.force ? "yes" : "no"], ["API", "GET " + path]])),
              el("div", {class: "table-wrap"}, el("table", {id: "report-items"}, el("caption", {class: "visually-hidden"}, "Letters of replay " + r.id),
                el("thead", {}, el("tr", {}, ["event", "outcome", "reason"].map(h => el("th", {scope: "col"}, h)))), el("tbody", {}, r.items.map(row)))),
              r.status === "running" ? el("button", {type: "button", id: "report-reload", onclick: openLinkedReport}, "Load again") : "");
            $("report").scrollIntoView();
          } catch (e) { body.replaceChildren(el("p", {class: "error", id: "report-error"}, "cannot load the report: " + e.message)); }
        }
        """#
}
