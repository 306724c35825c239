package dev.yardstick.chat;

import ar.com.hjg.pngj.FilterType;
import ar.com.hjg.pngj.ImageInfo;
import ar.com.hjg.pngj.ImageLineByte;
import ar.com.hjg.pngj.PngWriter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.DatasetRenderingOrder;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.LineAndShapeRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * Draws a {@link ChatMessage.Chart} as a PNG (JFreeChart, encoded with PNGJ): bars on the left axis,
 * a line on the right one. Platforms that show pictures call it when they deliver; each drawing is
 * timed in {@code yardstick_chart_draw_seconds}.
 */
@ApplicationScoped
public class ChartPng {

    /** Width of a chart, in pixels. */
    public static final int WIDTH = 800;
    /** Height of a chart, in pixels. */
    public static final int HEIGHT = 400;
    /** Colour of the bars. */
    static final Color BARS = new Color(0x5B8DB8);
    /** Colour of the line. */
    static final Color LINE = new Color(0x2E7D32);
    /** Colour of the budget line. */
    static final Color BUDGET = new Color(0xC62828);

    @Inject
    MeterRegistry registry;

    /** The chart, {@value #WIDTH}×{@value #HEIGHT} pixels. */
    public byte[] draw(ChatMessage.Chart chart) {
        Timer.Sample drawing = Timer.start(registry);
        try {
            return encode(render(chart));
        } finally {
            drawing.stop(registry.timer("yardstick.chart.draw"));
        }
    }

    static BufferedImage render(ChatMessage.Chart c) {
        return chart(c).createBufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_3BYTE_BGR, null);
    }

    /**
     * The chart as JFreeChart draws it. The budget, when there is one, is a labelled horizontal line on the bars'
     * axis, which then reaches above it.
     */
    static JFreeChart chart(ChatMessage.Chart c) {
        System.setProperty("java.awt.headless", "true");
        DefaultCategoryDataset bars = new DefaultCategoryDataset();
        DefaultCategoryDataset line = new DefaultCategoryDataset();
        for (ChatMessage.Point p : c.points()) {
            bars.addValue(p.bar(), c.barsLabel(), p.label());
            line.addValue(p.line(), c.lineLabel(), p.label());
        }
        BarRenderer barRenderer = new BarRenderer();
        barRenderer.setBarPainter(new StandardBarPainter());
        barRenderer.setShadowVisible(false);
        barRenderer.setSeriesPaint(0, BARS);
        NumberAxis barsAxis = new NumberAxis(c.barsLabel());
        CategoryPlot plot = new CategoryPlot(bars, new CategoryAxis(null), barsAxis, barRenderer);
        if (c.budget() != null && c.budget().signum() > 0) {
            double top = c.budget().doubleValue();
            for (ChatMessage.Point p : c.points()) {
                top = Math.max(top, p.bar().doubleValue());
            }
            barsAxis.setRange(0, top * 1.15);
            ValueMarker budget = new ValueMarker(c.budget().doubleValue(), BUDGET, new BasicStroke(2f));
            if (c.budgetLabel() != null) {
                budget.setLabel(c.budgetLabel());
                budget.setLabelPaint(BUDGET);
                budget.setLabelBackgroundColor(new Color(255, 255, 255, 220));
                budget.setLabelFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
                budget.setLabelAnchor(RectangleAnchor.TOP_LEFT);
                budget.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
                budget.setLabelOffset(new RectangleInsets(2, 6, 2, 6));
            }
            plot.addRangeMarker(0, budget, Layer.FOREGROUND);
        }
        plot.setDataset(1, line);
        plot.setRangeAxis(1, new NumberAxis(c.lineLabel()));
        plot.mapDatasetToRangeAxis(1, 1);
        LineAndShapeRenderer lineRenderer = new LineAndShapeRenderer();
        lineRenderer.setSeriesPaint(0, LINE);
        lineRenderer.setSeriesStroke(0, new BasicStroke(3f));
        plot.setRenderer(1, lineRenderer);
        plot.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xDDDDDD));
        JFreeChart chart = new JFreeChart(c.title(), JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    /**
     * Encodes the image as PNG with PNGJ: the "up" filter and fast deflate suit a chart's flat
     * colours, and take a third of ImageIO's time for a smaller file (docs/benchmarks.md).
     */
    static byte[] encode(BufferedImage image) {
        int w = image.getWidth();
        byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        ByteArrayOutputStream out = new ByteArrayOutputStream(32 * 1024);
        ImageInfo info = new ImageInfo(w, image.getHeight(), 8, false);
        PngWriter png = new PngWriter(out, info);
        png.setFilterType(FilterType.FILTER_UP);
        png.setCompLevel(1);
        ImageLineByte line = new ImageLineByte(info);
        byte[] rgb = line.getScanline();
        for (int y = 0, row = 0; y < image.getHeight(); y++, row += w * 3) {
            for (int i = 0; i < w * 3; i += 3) {
                rgb[i] = bgr[row + i + 2];
                rgb[i + 1] = bgr[row + i + 1];
                rgb[i + 2] = bgr[row + i];
            }
            png.writeRow(line);
        }
        png.end();
        return out.toByteArray();
    }
}
