package io.tickstream.loadtest;

import java.util.List;

/**
 * What the report pages share: escaping, the page frame with its inline stylesheet, and tables.
 * Nothing is fetched at view time: no script, font or image from anywhere. Stateless.
 */
final class Html {

    private static final String CSS = """
            body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px auto;max-width:1200px;
              padding:0 16px;color:#1f2328}
            h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;
              padding-bottom:4px}h3{font-size:14px;margin:16px 0 4px;color:#57606a}
            .sub{color:#57606a;margin:0 0 16px}
            .cards{display:flex;flex-wrap:wrap;gap:12px}.card{border:1px solid #d0d7de;border-radius:6px;
              padding:8px 14px;min-width:110px}.card b{display:block;font-size:20px}.card span{color:#57606a;font-size:12px}
            .ok{color:#1a7f37}.bad{color:#cf222e}
            table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #d0d7de;padding:4px 10px;text-align:left}
            td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f6f8fa}
            .grid2{display:grid;grid-template-columns:1fr 1fr;gap:8px 24px}
            @media (max-width:900px){.grid2{grid-template-columns:1fr}}
            svg.chart{display:block;width:100%;height:auto}svg .area{fill:#fff;stroke:#d0d7de}
            svg .grid{stroke:#eaeef2}svg text{font-size:12px;fill:#57606a}svg .axis{font-size:12px;fill:#1f2328}
            svg .legend{font-size:12px;fill:#1f2328}svg .window{fill:#ddf4ff;opacity:.6}
            pre{background:#f6f8fa;padding:12px;overflow:auto;font-size:12px}
            """;

    private Html() {
    }

    static String escape(Object text) {
        return String.valueOf(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("'", "&#39;").replace("\"", "&quot;");
    }

    /** A whole page: {@code title} in the tab and as its heading, {@code body} below. */
    static String page(String title, String subtitle, String body) {
        return "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
                + "<meta name='viewport' content='width=device-width,initial-scale=1'><title>" + escape(title)
                + "</title><style>" + CSS + "</style></head><body><h1>" + escape(title) + "</h1><p class='sub'>"
                + escape(subtitle) + "</p>" + body + "</body></html>";
    }

    /** A table: {@code header} cells, then rows; a cell that reads as a number is right-aligned. */
    static String table(String cssClass, List<String> header, List<List<String>> rows) {
        return table(cssClass, header, rows, List.of());
    }

    /** A table whose rows have the classes {@code rowClasses}, in order (an empty one: none). */
    static String table(String cssClass, List<String> header, List<List<String>> rows, List<String> rowClasses) {
        StringBuilder t = new StringBuilder("<table class='" + cssClass + "'><tr>");
        header.forEach(h -> t.append("<th>").append(escape(h)).append("</th>"));
        t.append("</tr>");
        for (int r = 0; r < rows.size(); r++) {
            List<String> row = rows.get(r);
            String rowClass = r < rowClasses.size() ? rowClasses.get(r) : "";
            t.append(rowClass.isEmpty() ? "<tr>" : "<tr class='" + rowClass + "'>");
            for (String cell : row) {
                boolean number = cell.matches("[-+−]?[0-9][0-9,.]*( ?[a-zA-Zµ%/]+)?( \\(.*\\))?");
                t.append(number ? "<td class='n'>" : "<td>").append(escape(cell)).append("</td>");
            }
            t.append("</tr>");
        }
        return t.append("</table>").toString();
    }

    /** A figure in a box: {@code value} large, {@code label} under it. */
    static String card(String label, String value, String cssClass) {
        return "<div class='card'><b class='" + cssClass + "'>" + escape(value) + "</b><span>" + escape(label)
                + "</span></div>";
    }
}
