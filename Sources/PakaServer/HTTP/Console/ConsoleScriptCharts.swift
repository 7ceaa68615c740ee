extension ConsoleScript {
    /// SVG line charts with a value scale (0 and the maximum, labelled) and a time axis (two
    /// minutes back to now), drawn from `{t, value}` samples.
    static let charts = #"""
        const WINDOW_MS = 120000, NS = "http://www.w3.org/2000/svg";
        function svgEl(tag, attrs, text) {
          const node = document.createElementNS(NS, tag);
          for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
          if (text != null) node.textContent = text;
          return node;
        }
        function niceMax(v) { if (v <= 1) return 1; const p = Math.pow(10, Math.floor(Math.log10(v))); return [1, 2, 5, 10].map(m => m * p).find(m => m >= v); }
        function fmt(v) { return v >= 1000 ? (v / 1000).toFixed(v >= 10000 ? 0 : 1) + "k" : (Math.round(v * 10) / 10).toString(); }
        /* points: [{t, value}]; label names the measure (also the chart's accessible name). */
        function chart(label, points, unit, kind) {
          const w = 300, h = kind === "spark" ? 60 : 90, left = 30, bottom = 14, top = 6, now = Date.now();
          const max = niceMax(Math.max(0, ...points.map(p => p.value)));
          const svg = svgEl("svg", {viewBox: `0 0 ${w} ${h}`, class: kind === "spark" ? "spark" : "chart", role: "img",
                                    "aria-label": `${label}: now ${points.length ? fmt(points[points.length - 1].value) : "no data"} ${unit}, scale 0 to ${fmt(max)}`});
          const y = (v) => top + (h - top - bottom) * (1 - v / max), x = (t) => left + (w - left - 4) * (1 - (now - t) / WINDOW_MS);
          for (const v of [0, max / 2, max]) {
            svg.append(svgEl("line", {x1: left, x2: w - 4, y1: y(v), y2: y(v)}));
            svg.append(svgEl("text", {x: left - 3, y: y(v) + 3, "text-anchor": "end"}, fmt(v)));
          }
          for (const [offset, text] of [[WINDOW_MS, "-2 min"], [WINDOW_MS / 2, "-1 min"], [0, "now"]]) {
            svg.append(svgEl("text", {x: x(now - offset), y: h - 3, "text-anchor": offset === 0 ? "end" : offset === WINDOW_MS ? "start" : "middle"}, text));
          }
          const visible = points.filter(p => now - p.t <= WINDOW_MS);
          if (visible.length) svg.append(svgEl("polyline", {points: visible.map(p => x(p.t).toFixed(1) + "," + y(p.value).toFixed(1)).join(" ")}));
          return el("figure", {}, el("figcaption", {}, `${label} (${unit})`), svg);
        }
        """#
}
