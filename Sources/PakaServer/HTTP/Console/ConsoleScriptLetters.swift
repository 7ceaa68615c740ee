extension ConsoleScript {
    /// The dead-letter browser: filters, pages newest first with the API's cursor, one letter
    /// opened with its headers and pretty-printed payload (text nodes only), selection.
    static let letters = #"""
        const letterState = {rows: [], payloads: {}, cursor: null, selected: new Set(), filters: {}};
        function lettersPanel(name) {
          const operate = can("operate"), panel = $("panel-letters");
          const field = (id, label, attrs) => el("label", {for: id}, label, el("input", Object.assign({id}, attrs)));
          const form = el("form", {id: "letters-filter", class: "filters", onsubmit: (e) => { e.preventDefault(); loadLetters(name, false); }},
            field("letters-error", "reason contains", {type: "search"}), field("letters-since", "since (UTC)", {type: "datetime-local"}),
            field("letters-until", "until (UTC)", {type: "datetime-local"}),
            el("label", {for: "letters-crash"}, "crashes only", el("input", {id: "letters-crash", type: "checkbox"})),
            el("label", {for: "letters-all"}, "include replayed", el("input", {id: "letters-all", type: "checkbox"})),
            el("button", {type: "submit", id: "letters-apply"}, "Apply filters"));
          const head = el("tr", {}, operate ? el("th", {}, el("input", {type: "checkbox", id: "letters-select-page", "aria-label": "select every letter shown",
                                                                         onchange: (e) => selectPage(e.currentTarget.checked)})) : [],
            el("th", {}, "time"), el("th", {}, "event"), el("th", {class: "wide-only"}, "where"), el("th", {class: "wide-only"}, "attempts"),
            el("th", {class: "wide-only"}, "version"), el("th", {}, "reason"), el("th", {}, ""));
          panel.replaceChildren(form, el("p", {id: "letters-note", class: "note", role: "status"}),
            el("div", {class: "table-wrap"}, el("table", {id: "letters-table"}, el("caption", {class: "visually-hidden"}, "Dead letters of " + name + ", newest first"),
                                                 el("thead", {}, head), el("tbody", {id: "letters-body"}))),
            el("div", {class: "actions"}, el("button", {type: "button", id: "letters-more", hidden: true, onclick: () => loadLetters(name, true)}, "Load older letters")),
            el("section", {id: "letter-view", "aria-live": "polite", hidden: true}),
            operate ? replayControls(name) : el("p", {class: "note"}, "Replaying needs a token with the 'operate' scope."));
          loadLetters(name, false);
        }
        function letterFilters() {
          const f = {}, v = (id) => $(id).value.trim();
          if (v("letters-error")) f.errorContains = v("letters-error");
          if (v("letters-since")) f.since = new Date(v("letters-since") + "Z").toISOString();
          if (v("letters-until")) f.until = new Date(v("letters-until") + "Z").toISOString();
          if ($("letters-crash").checked) f.crashOnly = true;
          return f;
        }
        async function loadLetters(name, older) {
          if (!older) {
            letterState.rows = []; letterState.cursor = null; letterState.selected.clear(); letterState.payloads = {}; letterState.filters = letterFilters();
            if ($("letter-view")) $("letter-view").hidden = true;  // the opened letter may have left the list (replayed)
          }
          const q = new URLSearchParams({limit: "50", payload: "true"});
          for (const [k, v] of Object.entries(letterState.filters)) q.set(k, String(v));
          if ($("letters-all").checked) q.set("state", "all");
          if (older && letterState.cursor) q.set("cursor", letterState.cursor);
          try {
            const page = await api("/plugins/" + encodeURIComponent(name) + "/dead-letters?" + q);
            letterState.rows = letterState.rows.concat(page.letters);
            Object.assign(letterState.payloads, page.payloads || {});
            letterState.cursor = page.nextCursor || null;
            $("letters-more").hidden = !letterState.cursor;
            $("letters-note").textContent = letterState.rows.length + " letter(s) shown, newest first" + (letterState.cursor ? "; older ones: Load older letters" : "") +
              (page.truncated ? "; the scan stopped at its bound (narrow the filters)" : "") + (page.kafkaUnavailable ? "; " + page.kafkaUnavailable : "");
            renderLetters(name);
          } catch (e) { $("letters-note").textContent = "cannot load dead letters: " + e.message; }
        }
        function renderLetters(name) {
          const operate = can("operate");
          $("letters-body").replaceChildren(...letterState.rows.map(l => el("tr", {"data-letter": l.id},
            operate ? el("td", {}, el("input", {type: "checkbox", class: "letter-select", "aria-label": "select letter " + (l.eventId || l.id), checked: letterState.selected.has(l.id),
                                                onchange: (e) => { e.currentTarget.checked ? letterState.selected.add(l.id) : letterState.selected.delete(l.id); updateSelection(); }})) : [],
            el("td", {}, when(l.time)), el("td", {}, short(l.eventId || "-", 13)),
            el("td", {class: "wide-only"}, l.source === "spool" ? "spool" : l.topic + "/" + l.partition + "@" + l.offset),
            el("td", {class: "wide-only"}, l.attempts), el("td", {class: "wide-only"}, l.pluginVersion || "-"),
            el("td", {class: "reason"}, (l.state !== "pending" ? "[" + l.state + "] " : "") + l.reason),
            el("td", {}, el("button", {type: "button", class: "letter-open", "aria-label": "open letter " + (l.eventId || l.id), onclick: () => openLetter(l)}, "open")))));
          updateSelection();
        }
        function selectPage(on) {
          for (const l of letterState.rows) on ? letterState.selected.add(l.id) : letterState.selected.delete(l.id);
          renderLetters(state.detail);
        }
        function openLetter(l) {
          for (const row of document.querySelectorAll("#letters-body tr")) row.classList.toggle("open", row.dataset.letter === l.id);
          const raw = letterState.payloads[l.id], view = $("letter-view");
          let envelope = null;
          try { envelope = raw ? JSON.parse(raw.envelope) : null; } catch (e) { envelope = null; }
          const headers = envelope && typeof envelope === "object" ? Object.entries(envelope).filter(([k]) => k !== "data" && k !== "data_base64")
                                                                       .map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]) : [];
          const payload = envelope && "data" in envelope ? JSON.stringify(envelope.data, null, 2) : raw ? raw.envelope : "(payload not available)";
          view.hidden = false;
          view.replaceChildren(el("h3", {id: "letter-title", tabindex: "-1"}, "Letter " + (l.eventId || l.id)),
            el("dl", {id: "letter-meta"}, pairs([["reason", l.reason], ["state", l.state], ["dead-lettered", when(l.time)], ["attempts", l.attempts],
              ["where", l.source === "spool" ? "local spool (" + l.topic + ")" : l.topic + " partition " + l.partition + " offset " + l.offset],
              ["plugin version", l.pluginVersion || "-"], ["letter id", l.id], ["Kafka key", raw ? raw.key || "-" : "-"],
              ["replay of", l.replayOf || "-"], ["replayed by", l.replayBy || "-"]])),
            el("h4", {}, "Kafka headers"), el("dl", {id: "letter-kafka-headers"}, pairs(raw && raw.headers ? raw.headers : [])),
            el("h4", {}, "CloudEvents attributes"), el("dl", {id: "letter-headers"}, pairs(headers)),
            el("h4", {}, "Payload (data)"), el("pre", {id: "letter-payload", tabindex: "0"}, payload));
          $("letter-title").focus();
        }
        """#
}
