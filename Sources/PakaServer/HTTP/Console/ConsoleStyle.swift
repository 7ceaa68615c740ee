/// The console's style sheet (`GET /console/console.css`): one column on a phone, cards and
/// panels on a desktop, visible focus for keyboard use.
enum ConsoleStyle {
    static let css = """
        body{font:15px/1.4 system-ui,sans-serif;margin:0;padding:0 12px 24px;background:#f6f7f9;color:#1c1f24}
        header{display:flex;gap:10px;align-items:center;flex-wrap:wrap}h1{font-size:1.3em;margin:12px 0}
        h2{font-size:1.15em;margin:16px 0 8px}h3{font-size:1em;margin:0 0 6px}h4{font-size:.9em;margin:8px 0 4px;color:#556}
        [hidden]{display:none!important}.spacer{flex:1}.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
        #login form{display:flex;flex-direction:column;gap:8px;max-width:480px}input,select{font:inherit;padding:6px;max-width:100%;box-sizing:border-box}
        button{font:inherit;padding:6px 10px;border:1px solid #889;border-radius:6px;background:#fff;cursor:pointer}
        button.primary{background:#2f6fde;color:#fff;border-color:#2f6fde}button.danger{border-color:#b00020;color:#b00020}
        button:disabled{opacity:.45;cursor:not-allowed}:focus-visible{outline:3px solid #f0a000;outline-offset:2px}
        .error{color:#b00020}.note{color:#556;font-size:.9em}.ok{color:#17692f}
        .banner{background:#fff1c2;border:1px solid #e0c060;border-radius:8px;padding:8px 12px}
        .panels{display:grid;grid-template-columns:repeat(auto-fill,minmax(280px,1fr));gap:12px}.panel.wide{grid-column:1/-1}
        #plugins{display:grid;grid-template-columns:repeat(auto-fill,minmax(290px,1fr));gap:12px}
        .panel,.plugin,#detail,#report{background:#fff;border:1px solid #d5d8de;border-radius:10px;padding:12px;min-width:0}
        .plugin h3{font-size:1.1em;display:flex;justify-content:space-between;gap:8px}
        .state{font-size:.8em;padding:2px 8px;border-radius:10px;background:#e3e6ea}
        .state.active{background:#d4f4dd}.state.paused{background:#fff1c2}.state.failed,.state.crashed{background:#ffd9d9}
        dl{display:grid;grid-template-columns:auto 1fr;gap:2px 10px;margin:6px 0}dt{color:#556}dd{margin:0;overflow-wrap:anywhere}
        .topics{display:flex;flex-wrap:wrap;gap:4px;padding:0;list-style:none}.topics li{background:#eef1f5;border-radius:6px;padding:1px 6px;font-size:.85em}
        .charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(240px,1fr));gap:10px}
        figure{margin:0}figcaption{font-size:.85em;color:#556}
        svg.chart{width:100%;height:90px;background:#f2f4f7;border-radius:4px}svg.spark{width:100%;height:60px;background:#f2f4f7;border-radius:4px}
        svg polyline{fill:none;stroke:#2f6fde;stroke-width:1.5}svg line{stroke:#b8bfca;stroke-width:.5}svg text{font-size:8px;fill:#556}
        .actions{display:flex;flex-wrap:wrap;gap:6px;margin-top:8px;align-items:center}
        .detail-head{display:flex;justify-content:space-between;align-items:center;gap:8px}
        [role=tablist]{display:flex;flex-wrap:wrap;gap:4px;border-bottom:1px solid #d5d8de;margin-bottom:8px}
        [role=tab]{border-radius:6px 6px 0 0}[role=tab][aria-selected=true]{background:#2f6fde;color:#fff}
        .filters{display:flex;flex-wrap:wrap;gap:8px;align-items:end}.filters label{display:flex;flex-direction:column;font-size:.85em;gap:2px}
        .table-wrap{overflow-x:auto;max-width:100%}table{border-collapse:collapse;width:100%;font-size:.9em}
        th,td{text-align:left;padding:4px 6px;border-bottom:1px solid #e3e6ea;vertical-align:top}td.reason{overflow-wrap:anywhere;min-width:12em}
        tr.open{background:#eef4ff}pre{background:#f2f4f7;border-radius:6px;padding:8px;overflow:auto;max-height:24em;white-space:pre-wrap;overflow-wrap:anywhere}
        dialog{max-width:min(560px,92vw);border:1px solid #889;border-radius:10px}dialog::backdrop{background:rgba(0,0,0,.3)}
        progress{width:12em}#report{margin-top:12px}#panel-versions h3{margin-top:14px}caption{text-align:left;font-weight:600;padding:4px 0}
        @media (max-width:600px){body{padding:0 8px 16px}th.wide-only,td.wide-only{display:none}td.reason{min-width:6em}th,td{padding:4px 3px}}
        """
}
