package io.strata.loadtest.bench;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * {@code chart.png}, drawn with XChart: on top, the throughput (MiB/s) of each throughput scenario; below,
 * the latency percentiles (ms) of each latency scenario, wal-path's (the physical limit of a Strata cluster's WAL
 * path, and its brokers' WAL commit latency) beside produce-latency's; one bar series per system, medians over the
 * rounds.
 * A missing median (n/a, failed) has no bar; bars are labelled with their value to one decimal. The image is {@value #WIDTH} × {@value #HEIGHT} pixels.
 */
final class ResultsChart {

    static final int WIDTH = 1000;
    static final int HEIGHT = 1000;

    private ResultsChart() {
    }

    static void write(Summary summary, String title, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage throughput = panel(summary, title + ": throughput", "MiB/s",
            row -> row.metric() == Metric.MIB_PER_SEC, row -> row.scenario().id());
        BufferedImage latency = panel(summary, title + ": latency", "ms",
            row -> row.metric().isLatency() && !row.scenario().metrics().contains(Metric.MIB_PER_SEC),
            ResultsChart::latencyCategory);
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D graphics = image.createGraphics();
        try {
            graphics.setColor(Color.WHITE);
            graphics.fillRect(0, 0, WIDTH, HEIGHT);
            graphics.drawImage(throughput, 0, 0, null);
            graphics.drawImage(latency, 0, HEIGHT / 2, null);
        } finally {
            graphics.dispose();
        }
        ImageIO.write(image, "png", file.toFile());
    }

    /** "produce p99", "e2e p50"; for wal-path "PUT+commit p99" (the probe) and "WAL commit p99" (the brokers). */
    static String latencyCategory(Summary.Row row) {
        String percentile = row.metric().label().replace(" ms", "");
        if (row.scenario() == Scenario.WAL_PATH) {
            return percentile.startsWith("WAL") ? percentile : "PUT+commit " + percentile;
        }
        return row.scenario().id().replace("-latency", "") + " " + percentile;
    }

    /** One half of the image: a bar chart of the rows {@code include} selects, or a line saying there are none. */
    private static BufferedImage panel(Summary summary, String title, String unit, Predicate<Summary.Row> include,
                                       Function<Summary.Row, String> category) {
        List<Summary.Row> rows = summary.rows().stream().filter(include).toList();
        if (rows.isEmpty()) {
            BufferedImage empty = new BufferedImage(WIDTH, HEIGHT / 2, BufferedImage.TYPE_INT_RGB);
            Graphics2D graphics = empty.createGraphics();
            try {
                graphics.setColor(Color.WHITE);
                graphics.fillRect(0, 0, WIDTH, HEIGHT / 2);
                graphics.setColor(Color.BLACK);
                graphics.drawString(title + ": no scenario of this kind ran", 20, HEIGHT / 4);
            } finally {
                graphics.dispose();
            }
            return empty;
        }
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT / 2).title(title)
            .xAxisTitle("scenario").yAxisTitle(unit).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLabelsVisible(true);
        if (rows.size() > 6) {
            chart.getStyler().setXAxisLabelRotation(30); // long category names would overlap
        }
        List<String> categories = rows.stream().map(category).toList();
        for (String system : summary.systems()) {
            List<Double> values = new ArrayList<>();
            for (Summary.Row row : rows) {
                Summary.Cell cell = row.cells().get(system);
                values.add(cell.median().isPresent() ? Math.round(cell.median().getAsDouble() * 10) / 10.0 : null);
            }
            chart.addSeries(system, categories, values);
        }
        return BitmapEncoder.getBufferedImage(chart);
    }
}
