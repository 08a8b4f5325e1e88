package io.tickstream.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;
import java.util.function.Function;

/**
 * The report's plots as inline SVG, drawn here so that a page needs nothing at view time: the
 * latency-percentile curve (the HdrHistogram "nines" axis: 0%, 90%, 99%, 99.9%, ...; latency on a
 * log axis in µs, ms and s) and a time series (seconds of the run against a linear axis). Each
 * takes one or more series, so a comparison draws two runs on one plot. Every plot fills the width
 * of its container (a {@code viewBox}); its labels sit inside the margins, never clipped. Stateless.
 */
final class Charts {

    /** One line: its name in the legend, its colour, and its points as {@code {x, y}}. */
    record Series(String name, String color, List<double[]> points) {
    }

    /** How a time series' values read: a count ("12k") or a latency in microseconds ("2.5 ms"). */
    enum Unit {
        COUNT(Charts::count), MICROS(Charts::micros);

        private final DoubleFunction<String> label;

        Unit(DoubleFunction<String> label) {
            this.label = label;
        }
    }

    static final String[] COLORS = {"#1f6feb", "#d9480f"};
    private static final int LEFT = 76;
    private static final int RIGHT = 40;
    private static final int TOP = 28;
    private static final int BOTTOM = 46;

    private Charts() {
    }

    /**
     * Latency by percentile: {@code points} are {@code {percentile, micros}}. The x axis runs from 0%
     * to the nines the most counted series reaches (at least 99%, at most 99.9999%).
     */
    static String percentiles(List<Series> series, String caption) {
        int h = 380;
        double maxNines = 2;
        double lo = Double.MAX_VALUE;
        double hi = 1;
        for (Series s : series) {
            for (double[] p : s.points()) {
                maxNines = Math.max(maxNines, Math.ceil(nines(p[0]) - 1e-9));
                lo = Math.min(lo, Math.max(1, p[1]));
                hi = Math.max(hi, p[1]);
            }
        }
        maxNines = Math.min(6, maxNines);
        double floor = Math.floor(Math.log10(lo == Double.MAX_VALUE ? 1 : lo));
        double ceil = Math.max(floor + 1, Math.ceil(Math.log10(hi) + 1e-9));
        double nines = maxNines;
        Plot plot = new Plot(960, h, n -> n / nines, us -> (Math.log10(Math.max(1, us)) - floor) / (ceil - floor));
        StringBuilder svg = plot.open(caption);
        for (int i = 0; i <= maxNines; i++) {
            plot.xTick(svg, i, percentLabel(i));
        }
        List<Double> ys = new ArrayList<>();
        for (double d = floor; d <= ceil; d++) {
            double decade = Math.pow(10, d);
            ys.add(decade);
            if (ceil - floor <= 3 && d < ceil) {
                ys.add(2 * decade);
                ys.add(5 * decade);
            }
        }
        ys.forEach(y -> plot.yTick(svg, y, micros(y)));
        plot.axisTitles(svg, "percentile", "latency");
        for (Series s : series) {
            List<double[]> xy = new ArrayList<>();
            for (double[] p : s.points()) {
                xy.add(new double[] {Math.min(maxNines, nines(p[0])), p[1]});
            }
            plot.line(svg, s.color(), xy, p -> String.format(Locale.ROOT, "%s: p%s %s", s.name(),
                    trim(100 * (1 - Math.pow(10, -p[0]))), micros(p[1])));
        }
        plot.legend(svg, series);
        return svg.append("</svg>").toString();
    }

    /**
     * A value over the run: {@code points} are {@code {seconds, value}}. {@code windowFrom}, when
     * positive, shades the measured window from there to the end.
     */
    static String timeline(List<Series> series, Unit unit, String caption, double windowFrom) {
        int h = 260;
        double maxT = 1;
        double maxY = 0;
        for (Series s : series) {
            for (double[] p : s.points()) {
                maxT = Math.max(maxT, p[0]);
                maxY = Math.max(maxY, p[1]);
            }
        }
        double xStep = niceStep(maxT / 8);
        // a run's last second ends a few ms after its duration: no tick for those alone
        double xEnd = Math.ceil(maxT / xStep - 0.02) * xStep;
        double yStep = niceStep(Math.max(maxY, 1) / 4);
        double yEnd = Math.max(1, Math.ceil(maxY / yStep - 1e-9)) * yStep;
        Plot plot = new Plot(560, h, t -> t / xEnd, y -> y / yEnd);
        StringBuilder svg = plot.open(caption);
        if (windowFrom > 0 && windowFrom < xEnd) {
            plot.shade(svg, windowFrom, maxT, "measured");
        }
        for (double t = 0; t <= xEnd + 1e-9; t += xStep) {
            plot.xTick(svg, t, trim(t) + " s");
        }
        for (double y = 0; y <= yEnd + 1e-9; y += yStep) {
            plot.yTick(svg, y, unit.label.apply(y));
        }
        for (Series s : series) {
            plot.line(svg, s.color(), s.points(), p -> String.format(Locale.ROOT, "%s: t=%s s, %s", s.name(),
                    trim(p[0]), unit.label.apply(p[1])));
        }
        plot.legend(svg, series);
        return svg.append("</svg>").toString();
    }

    /** A plot area inside the margins, mapping values to it through {@code fx} and {@code fy} (0 to 1). */
    private record Plot(int w, int h, DoubleFunction<Double> fx, DoubleFunction<Double> fy) {

        double x(double v) {
            return LEFT + (w - LEFT - RIGHT) * fx.apply(v);
        }

        double y(double v) {
            return h - BOTTOM - (h - TOP - BOTTOM) * fy.apply(v);
        }

        StringBuilder open(String caption) {
            return new StringBuilder(String.format(Locale.ROOT, "<svg class='chart' viewBox='0 0 %d %d' width='100%%' "
                    + "xmlns='http://www.w3.org/2000/svg' role='img'><title>%s</title>"
                    + "<rect x='%d' y='%d' width='%d' height='%d' class='area'/>", w, h, Html.escape(caption), LEFT,
                    TOP, w - LEFT - RIGHT, h - TOP - BOTTOM));
        }

        void xTick(StringBuilder svg, double v, String label) {
            double x = x(v);
            svg.append(String.format(Locale.ROOT, "<line class='grid' x1='%.1f' y1='%d' x2='%.1f' y2='%d'/>"
                    + "<text class='xtick' x='%.1f' y='%d' text-anchor='middle'>%s</text>", x, TOP, x, h - BOTTOM,
                    x, h - BOTTOM + 18, Html.escape(label)));
        }

        void yTick(StringBuilder svg, double v, String label) {
            double y = y(v);
            svg.append(String.format(Locale.ROOT, "<line class='grid' x1='%d' y1='%.1f' x2='%d' y2='%.1f'/>"
                    + "<text class='ytick' x='%d' y='%.1f' text-anchor='end'>%s</text>", LEFT, y, w - RIGHT, y,
                    LEFT - 8, y + 4, Html.escape(label)));
        }

        void axisTitles(StringBuilder svg, String x, String y) {
            svg.append(String.format(Locale.ROOT, "<text class='axis' x='%d' y='%d' text-anchor='middle'>%s</text>"
                    + "<text class='axis' x='%d' y='%d' text-anchor='start'>%s</text>", (w + LEFT - RIGHT) / 2,
                    h - 8, x, 8, TOP - 12, y));
        }

        void shade(StringBuilder svg, double from, double to, String label) {
            svg.append(String.format(Locale.ROOT, "<rect class='window' x='%.1f' y='%d' width='%.1f' height='%d'/>"
                    + "<text class='axis' x='%.1f' y='%d'>%s</text>", x(from), TOP, Math.max(0, x(to) - x(from)),
                    h - TOP - BOTTOM, x(from) + 4, TOP + 14, label));
        }

        void line(StringBuilder svg, String color, List<double[]> points, Function<double[], String> tip) {
            StringBuilder d = new StringBuilder();
            StringBuilder dots = new StringBuilder();
            for (double[] p : points) {
                double x = x(p[0]);
                double y = y(p[1]);
                d.append(d.length() == 0 ? "M" : "L").append(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
                dots.append(String.format(Locale.ROOT, "<circle class='point' cx='%.1f' cy='%.1f' r='2.5' fill='%s'>"
                        + "<title>%s</title></circle>", x, y, color, Html.escape(tip.apply(p))));
            }
            svg.append("<path class='series' d='").append(d).append("' fill='none' stroke='").append(color)
                    .append("' stroke-width='2'/>").append(dots);
        }

        void legend(StringBuilder svg, List<Series> series) {
            double x = LEFT;
            for (Series s : series) {
                svg.append(String.format(Locale.ROOT, "<rect x='%.0f' y='6' width='12' height='12' fill='%s'/>"
                        + "<text class='legend' x='%.0f' y='16'>%s</text>", x, s.color(), x + 16, Html.escape(s.name())));
                x += 40 + 7.5 * s.name().length();
            }
        }
    }

    /** How many nines a percentile has: 0 for p0, 1 for p90, 2 for p99, 3 for p99.9. */
    static double nines(double percentile) {
        return percentile >= 100 ? 99 : -Math.log10(1 - percentile / 100);
    }

    /** {@code 0%}, {@code 90%}, {@code 99%}, {@code 99.9%}, ...: the percentile with {@code n} nines. */
    static String percentLabel(int n) {
        return n == 0 ? "0%" : n == 1 ? "90%" : "99" + (n > 2 ? "." + "9".repeat(n - 2) : "") + "%";
    }

    /** A latency in microseconds as people read it: {@code 250 µs}, {@code 2.5 ms}, {@code 1 s}. */
    static String micros(double us) {
        return us < 1000 ? trim(us) + " µs" : us < 1e6 ? trim(us / 1e3) + " ms" : trim(us / 1e6) + " s";
    }

    /** A count with a k or M suffix: {@code 950}, {@code 12k}, {@code 1.5M}. */
    static String count(double n) {
        return n < 1000 ? trim(n) : n < 1e6 ? trim(n / 1e3) + "k" : trim(n / 1e6) + "M";
    }

    /** A number with up to two decimals and no trailing zeros. */
    static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.2f", v);
        return s.replaceAll("\\.?0+$", "");
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    private static double niceStep(double raw) {
        double decade = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1e-9))));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * decade >= raw) {
                return m * decade;
            }
        }
        return 10 * decade;
    }
}
