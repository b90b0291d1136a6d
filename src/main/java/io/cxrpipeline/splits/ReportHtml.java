package io.cxrpipeline.splits;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The split's {@code report.html}: one self-contained page (inline CSS and SVG, no script, nothing fetched)
 * with a bar chart of each split's class counts before and after balancing, and the checks of the summary.
 */
public final class ReportHtml {

    private static final String BEFORE = "#9aa5b1";
    private static final String AFTER = "#1f6feb";

    private ReportHtml() {
    }

    /**
     * The page of a summary.
     *
     * @param parametersJson the normalised parameters as (indented) JSON
     */
    public static String render(SplitSummary s, String parametersJson) {
        StringBuilder h = new StringBuilder(16_384);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Split ")
                .append(esc(s.splitId())).append(" of ").append(esc(s.dataset())).append("</title>\n")
                .append("<style>body{font-family:system-ui,sans-serif;margin:2em;color:#1b1f24}"
                        + "table{border-collapse:collapse;margin:0.5em 0 1.5em}"
                        + "td,th{border:1px solid #d0d7de;padding:0.25em 0.6em;text-align:right}"
                        + "th{background:#f6f8fa}td.l,th.l{text-align:left}.ok{color:#1a7f37}.bad{color:#cf222e}"
                        + ".charts{display:flex;flex-wrap:wrap;gap:1.5em}figure{margin:0}"
                        + "figcaption{font-weight:600;margin-bottom:0.3em}</style></head><body>\n");
        h.append("<h1>Split <code>").append(esc(s.splitId())).append("</code> of <code>").append(esc(s.dataset()))
                .append("</code></h1>\n");
        h.append("<p>").append(s.index().images()).append(" indexed images, ").append(s.index().patients())
                .append(" patients, ").append(s.index().groups()).append(" leakage groups. Index state <code>")
                .append(esc(s.index().digest())).append("</code>.</p>\n");

        h.append("<h2>Class counts per split</h2>\n<p><span style=\"color:").append(BEFORE)
                .append("\">&#9632;</span> images before balancing &nbsp; <span style=\"color:").append(AFTER)
                .append("\">&#9632;</span> manifest rows after balancing</p>\n<div class=\"charts\">\n");
        for (Map.Entry<String, SplitSummary.SplitCounts> e : s.splits().entrySet()) {
            h.append("<figure><figcaption>").append(esc(e.getKey())).append(" (")
                    .append(esc(e.getValue().balancing().strategy())).append(")</figcaption>\n");
            chart(h, e.getValue().classes());
            h.append("</figure>\n");
        }
        h.append("</div>\n");

        h.append("<h2>Counts</h2>\n<table><tr><th class=\"l\">split</th><th class=\"l\">class</th>"
                + "<th class=\"l\">subtype</th><th>images</th><th>rows</th><th>uses per image</th></tr>\n");
        for (Map.Entry<String, SplitSummary.SplitCounts> e : s.splits().entrySet()) {
            for (SplitSummary.ClassCounts c : e.getValue().classes()) {
                h.append("<tr><td class=\"l\">").append(esc(e.getKey())).append("</td><td class=\"l\">")
                        .append(esc(c.label())).append("</td><td class=\"l\">all</td><td>").append(c.before())
                        .append("</td><td>").append(c.after()).append("</td><td>")
                        .append(c.minUses() == c.maxUses() ? Integer.toString(c.minUses()) : c.minUses() + "–" + c.maxUses())
                        .append("</td></tr>\n");
                for (SplitSummary.SubtypeCounts t : c.subtypes()) {
                    h.append("<tr><td class=\"l\"></td><td class=\"l\"></td><td class=\"l\">")
                            .append(t.subtype() == null ? "<i>none</i>" : esc(t.subtype())).append("</td><td>")
                            .append(t.before()).append("</td><td>").append(t.after()).append("</td><td></td></tr>\n");
                }
            }
        }
        h.append("</table>\n");

        SplitSummary.Leakage l = s.leakage();
        h.append("<h2>Leakage check</h2>\n<p class=\"").append(l.passed() ? "ok\">passed" : "bad\">FAILED")
                .append(" (checked on ").append(esc(l.checkedOn())).append(")</p>\n<table>")
                .append(row("images in several splits", l.imagesInSeveralSplits()))
                .append(row("patients in several splits", l.patientsInSeveralSplits()))
                .append(row("identical contents in several splits", l.contentGroupsInSeveralSplits()))
                .append(row("leakage groups in several splits", l.groupsInSeveralSplits())).append("</table>\n");

        h.append("<h2>Ratio deviation</h2>\n<p>Largest deviation of a class's split share from the ratio: ")
                .append(fmt(s.ratioDeviation().maxPercentagePoints())).append(" percentage points; of a class's share"
                        + " of a split from its share of the dataset: ")
                .append(fmt(s.ratioDeviation().maxClassSharePercentagePoints())).append(" points.</p>\n")
                .append("<table><tr><th class=\"l\">class</th><th class=\"l\">split</th><th>target</th>"
                        + "<th>actual</th><th>deviation (pp)</th></tr>\n");
        for (SplitSummary.ClassDeviation d : s.ratioDeviation().classes()) {
            for (Map.Entry<String, SplitSummary.SplitDeviation> e : d.splits().entrySet()) {
                h.append("<tr><td class=\"l\">").append(esc(d.label())).append("</td><td class=\"l\">")
                        .append(esc(e.getKey())).append("</td><td>").append(fmt(e.getValue().target())).append("</td><td>")
                        .append(fmt(e.getValue().actual())).append("</td><td>")
                        .append(fmt(e.getValue().deviationPercentagePoints())).append("</td></tr>\n");
            }
        }
        h.append("</table>\n");

        SplitSummary.Excluded x = s.excluded();
        h.append("<h2>Excluded: label conflicts</h2>\n<p>").append(x.labelConflicts())
                .append(" contents were uploaded under more than one class and are in no split.</p>\n");
        if (!x.images().isEmpty()) {
            h.append("<table><tr><th class=\"l\">image</th><th class=\"l\">key</th><th class=\"l\">reason</th></tr>\n");
            for (SplitSummary.ExcludedImage e : x.images()) {
                h.append("<tr><td class=\"l\">").append(esc(e.imageId())).append("</td><td class=\"l\">")
                        .append(esc(e.key())).append("</td><td class=\"l\">").append(esc(e.reason()))
                        .append("</td></tr>\n");
            }
            h.append("</table>\n");
        }

        h.append("<h2>Class weights (scikit-learn 'balanced')</h2>\n<table><tr><th class=\"l\">class</th>"
                + "<th>train before balancing</th><th>train manifest</th></tr>\n");
        for (String c : s.classes()) {
            h.append("<tr><td class=\"l\">").append(esc(c)).append("</td><td>")
                    .append(weight(s.classWeightsBeforeBalancing().get(c))).append("</td><td>")
                    .append(weight(s.classWeights().get(c))).append("</td></tr>\n");
        }
        h.append("</table>\n<h2>Parameters</h2>\n<pre>").append(esc(parametersJson))
                .append("</pre>\n</body></html>\n");
        return h.toString();
    }

    private static void chart(StringBuilder h, List<SplitSummary.ClassCounts> classes) {
        int barWidth = 28;
        int gap = 6;
        int groupWidth = 2 * barWidth + gap + 34;
        int plotHeight = 160;
        int top = 20;
        int width = Math.max(220, 50 + classes.size() * groupWidth);
        int height = top + plotHeight + 40;
        long max = 1;
        for (SplitSummary.ClassCounts c : classes) {
            max = Math.max(max, Math.max(c.before(), c.after()));
        }
        h.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
                .append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" role=\"img\" font-size=\"11\">\n");
        h.append("<line x1=\"40\" y1=\"").append(top + plotHeight).append("\" x2=\"").append(width - 5)
                .append("\" y2=\"").append(top + plotHeight).append("\" stroke=\"#57606a\"/>\n");
        for (int i = 0; i < classes.size(); i++) {
            SplitSummary.ClassCounts c = classes.get(i);
            int x = 50 + i * groupWidth;
            bar(h, x, top, plotHeight, barWidth, c.before(), max, BEFORE);
            bar(h, x + barWidth + gap, top, plotHeight, barWidth, c.after(), max, AFTER);
            h.append("<text x=\"").append(x + barWidth + gap / 2).append("\" y=\"").append(top + plotHeight + 16)
                    .append("\" text-anchor=\"middle\">").append(esc(c.label())).append("</text>\n");
        }
        h.append("</svg>\n");
    }

    private static void bar(StringBuilder h, int x, int top, int plotHeight, int width, long value, long max,
            String color) {
        int barHeight = (int) Math.round((double) value / max * plotHeight);
        int y = top + plotHeight - barHeight;
        h.append("<rect x=\"").append(x).append("\" y=\"").append(y).append("\" width=\"").append(width)
                .append("\" height=\"").append(barHeight).append("\" fill=\"").append(color).append("\"><title>")
                .append(value).append("</title></rect>\n");
        h.append("<text x=\"").append(x + width / 2).append("\" y=\"").append(y - 4)
                .append("\" text-anchor=\"middle\">").append(value).append("</text>\n");
    }

    private static String row(String label, long value) {
        return "<tr><td class=\"l\">" + label + "</td><td>" + value + "</td></tr>";
    }

    private static String weight(Double w) {
        return w == null ? "–" : fmt(w);
    }

    private static String fmt(double d) {
        return String.format(Locale.ROOT, "%.4f", d);
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(ch);
            }
        }
        return b.toString();
    }
}
