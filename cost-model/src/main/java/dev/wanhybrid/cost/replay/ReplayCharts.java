package dev.wanhybrid.cost.replay;

import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.breakeven.BreakEven;
import dev.wanhybrid.cost.breakeven.BreakEvenInputs;
import java.awt.Color;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Draws the replay's charts with XChart: cost against monthly volume with the break-even marked, and daily cost by backend. */
public final class ReplayCharts {

    private static final Color CLOUD = new Color(0xE4, 0x6C, 0x0A);
    private static final Color LOCAL = new Color(0x2B, 0x6C, 0xB0);

    private ReplayCharts() {}

    /**
     * Monthly cost against monthly volume: all on the API, and the fleet with overflow to the API; the break-even
     * volume, the fleet's capacity and the observed volume are marked.
     */
    public static Path breakEvenChart(BreakEvenInputs in, BigDecimal observedPerMonth, Path file) throws IOException {
        return save(breakEvenXYChart(in, observedPerMonth), file);
    }

    /** The same break-even chart as {@link #breakEvenChart}, as PNG bytes, for a server that draws it per request. */
    public static byte[] breakEvenPng(BreakEvenInputs in, BigDecimal observedPerMonth) throws IOException {
        return BitmapEncoder.getBitmapBytes(breakEvenXYChart(in, observedPerMonth), BitmapEncoder.BitmapFormat.PNG);
    }

    private static XYChart breakEvenXYChart(BreakEvenInputs in, BigDecimal observedPerMonth) {
        System.setProperty("java.awt.headless", "true");
        BigDecimal capacity = in.capacityPerMonth();
        BigDecimal breakEven = BreakEven.volume(in).orElse(null);
        double max = Math.max(capacity.doubleValue() * 1.4, observedPerMonth.doubleValue() * 1.3);
        if (breakEven != null) {
            max = Math.max(max, breakEven.doubleValue() * 1.3);
        }
        List<Double> x = new ArrayList<>();
        List<Double> api = new ArrayList<>();
        List<Double> own = new ArrayList<>();
        for (int i = 0; i <= 200; i++) {
            BigDecimal v = BigDecimal.valueOf(max * i / 200).setScale(0, java.math.RoundingMode.HALF_EVEN);
            x.add(v.doubleValue());
            api.add(BreakEven.apiCost(in, v).amount().doubleValue());
            own.add(BreakEven.ownedCost(in, v).amount().doubleValue());
        }
        XYChart chart = new XYChartBuilder().width(1000).height(600)
                .title("Monthly cost against monthly volume (" + in.gpus() + " GPUs vs API at "
                        + in.apiPerVideo().rounded() + "/video)")
                .xAxisTitle("videos per month").yAxisTitle("USD per month").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setMarkerSize(12);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setXAxisDecimalPattern("#,###");
        chart.getStyler().setYAxisDecimalPattern("$#,###");
        XYSeries a = chart.addSeries("API only", x, api);
        a.setMarker(SeriesMarkers.NONE).setLineColor(CLOUD);
        XYSeries o = chart.addSeries("own fleet + API overflow", x, own);
        o.setMarker(SeriesMarkers.NONE).setLineColor(LOCAL);
        if (breakEven != null && breakEven.doubleValue() <= max) {
            double y = BreakEven.apiCost(in, breakEven).amount().doubleValue();
            XYSeries p = chart.addSeries("break-even " + String.format(Locale.US, "%,d", breakEven.longValue()) + "/month",
                    List.of(breakEven.doubleValue()), List.of(y));
            p.setMarker(SeriesMarkers.DIAMOND).setMarkerColor(Color.RED).setShowInLegend(true);
            chart.addAnnotation(new AnnotationText("break-even", breakEven.doubleValue(), y * 1.08, false));
        }
        chart.addAnnotation(new AnnotationLine(capacity.doubleValue(), true, false));
        chart.addAnnotation(new AnnotationText("fleet capacity", capacity.doubleValue(), api.getLast() * 0.95, false));
        chart.addAnnotation(new AnnotationLine(observedPerMonth.doubleValue(), true, false));
        chart.addAnnotation(new AnnotationText("observed", observedPerMonth.doubleValue(), api.getLast() * 0.85, false));
        // The assumptions the lines are drawn from, in the empty lower right corner (both lines rise from the left).
        List<String> assumptions = List.of(
                "assumes: shared fixed " + in.sharedFixedPerMonth().rounded() + "/month (staff, overhead)",
                "+ " + in.perGpuFixedPerMonth().rounded() + "/month per GPU (hardware, idle power, cooling or rent)",
                String.format(Locale.US, "marginal %s %s/video; %,d videos/month per GPU at target utilization",
                        in.marginalPerVideo().amount().setScale(4, java.math.RoundingMode.HALF_EVEN),
                        in.marginalPerVideo().currency().getCurrencyCode(), in.capacityPerGpuPerMonth().longValue()));
        for (int i = 0; i < assumptions.size(); i++) {
            chart.addAnnotation(new AnnotationText(assumptions.get(i), max * 0.70, api.getLast() * (0.16 - 0.055 * i),
                    false));
        }
        return chart;
    }

    /** Daily cost of one strategy, stacked: local (fixed share plus marginal) under cloud spend. */
    public static Path dailyChart(ReplayOutcome outcome, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<String> days = new ArrayList<>();
        List<Double> local = new ArrayList<>();
        List<Double> cloud = new ArrayList<>();
        for (Map.Entry<LocalDate, List<Money>> e : outcome.daily().entrySet()) {
            days.add(String.format("%02d-%02d", e.getKey().getMonthValue(), e.getKey().getDayOfMonth()));
            local.add(e.getValue().get(0).amount().doubleValue());
            cloud.add(e.getValue().get(1).amount().doubleValue());
        }
        CategoryChart chart = new CategoryChartBuilder().width(1200).height(600)
                .title("Daily cost by backend: " + outcome.strategy())
                .xAxisTitle("day").yAxisTitle("USD per day").build();
        chart.getStyler().setStacked(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setXAxisLabelRotation(90);
        chart.getStyler().setYAxisDecimalPattern("$#,###");
        chart.getStyler().setAvailableSpaceFill(0.8);
        chart.addSeries("local (fixed share + energy)", days, local).setFillColor(LOCAL);
        chart.addSeries("cloud API", days, cloud).setFillColor(CLOUD);
        return save(chart, file);
    }

    /**
     * A strategy's day against all-cloud: its total cost and all-cloud's as lines, the saving (all-cloud minus its
     * total) as bars, on the left axis; deadlines missed and the peak local queue on the right axis.
     */
    public static Path savingsChart(ReplayOutcome outcome, ReplayOutcome allCloud, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<String> days = new ArrayList<>();
        List<Double> total = new ArrayList<>();
        List<Double> cloudOnly = new ArrayList<>();
        List<Double> saved = new ArrayList<>();
        List<Double> misses = new ArrayList<>();
        List<Double> queue = new ArrayList<>();
        for (Map.Entry<LocalDate, List<Money>> e : outcome.daily().entrySet()) {
            LocalDate day = e.getKey();
            days.add(String.format("%02d-%02d", day.getMonthValue(), day.getDayOfMonth()));
            double t = e.getValue().get(0).amount().doubleValue() + e.getValue().get(1).amount().doubleValue();
            List<Money> cloudDay = allCloud.daily().get(day);
            double c = cloudDay == null ? 0 : cloudDay.get(0).amount().doubleValue() + cloudDay.get(1).amount().doubleValue();
            total.add(t);
            cloudOnly.add(c);
            saved.add(c - t);
            misses.add((double) outcome.dailyMisses().getOrDefault(day, 0));
            queue.add((double) outcome.dailyPeakQueue().getOrDefault(day, 0));
        }
        CategoryChart chart = new CategoryChartBuilder().width(1200).height(600)
                .title("Daily cost against all-cloud: " + outcome.strategy())
                .xAxisTitle("day").yAxisTitle("USD per day").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setXAxisLabelRotation(90);
        chart.getStyler().setAvailableSpaceFill(0.8);
        chart.setYAxisGroupTitle(1, "jobs");
        chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        chart.addSeries("saved against all-cloud", days, saved).setFillColor(new Color(0x38, 0x9E, 0x5C));
        line(chart.addSeries("all-cloud cost", days, cloudOnly), CLOUD, 0);
        line(chart.addSeries(outcome.strategy() + " cost", days, total), LOCAL, 0);
        line(chart.addSeries("deadlines missed", days, misses), Color.RED, 1);
        line(chart.addSeries("peak local queue", days, queue), Color.GRAY, 1);
        return save(chart, file);
    }

    private static void line(org.knowm.xchart.CategorySeries s, Color color, int axis) {
        s.setChartCategorySeriesRenderStyle(org.knowm.xchart.CategorySeries.CategorySeriesRenderStyle.Line);
        s.setLineColor(color);
        s.setMarkerColor(color);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setYAxisGroup(axis);
    }

    private static Path save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return file.toString().endsWith(".png") ? file : Path.of(file + ".png");
    }
}
