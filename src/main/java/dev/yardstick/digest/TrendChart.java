package dev.yardstick.digest;

import dev.yardstick.chat.Format;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.DatasetRenderingOrder;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.LineAndShapeRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;

/** The digest's 8-week trend as a PNG (JFreeChart): spend as bars, shipped items as a line. */
public final class TrendChart {

    private static final DateTimeFormatter WEEK = DateTimeFormatter.ofPattern("d MMM", Locale.US);

    private TrendChart() {
    }

    /** The chart, 800×400 pixels. */
    public static byte[] png(List<DigestFigures.Week> trend) {
        System.setProperty("java.awt.headless", "true");
        DefaultCategoryDataset spend = new DefaultCategoryDataset();
        DefaultCategoryDataset shipped = new DefaultCategoryDataset();
        for (DigestFigures.Week w : trend) {
            String label = WEEK.format(w.monday());
            spend.addValue(w.spend(), "Spend (USD)", label);
            shipped.addValue(w.shipped(), "Shipped items", label);
        }
        CategoryPlot plot = new CategoryPlot(spend, new CategoryAxis("Week"), new NumberAxis("Spend (USD)"),
                new BarRenderer());
        ((BarRenderer) plot.getRenderer()).setBarPainter(new StandardBarPainter());
        ((BarRenderer) plot.getRenderer()).setShadowVisible(false);
        plot.getRenderer().setSeriesPaint(0, new Color(0x5B8DB8));
        plot.setDataset(1, shipped);
        plot.setRangeAxis(1, new NumberAxis("Shipped items"));
        plot.mapDatasetToRangeAxis(1, 1);
        LineAndShapeRenderer line = new LineAndShapeRenderer();
        line.setSeriesPaint(0, new Color(0x2E7D32));
        line.setSeriesStroke(0, new BasicStroke(3f));
        plot.setRenderer(1, line);
        plot.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xDDDDDD));
        JFreeChart chart = new JFreeChart("Spend and shipped work, last 8 weeks", JFreeChart.DEFAULT_TITLE_FONT, plot,
                true);
        chart.setBackgroundPaint(Color.WHITE);
        BufferedImage image = chart.createBufferedImage(800, 400);
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            ImageIO.write(image, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the chart shows, in words, for people who cannot see it. */
    public static String altText(List<DigestFigures.Week> trend) {
        DigestFigures.Week first = trend.get(0);
        DigestFigures.Week last = trend.get(trend.size() - 1);
        return "Over the last " + trend.size() + " weeks, weekly spend went from " + Format.usd(first.spend())
                + " to " + Format.usd(last.spend()) + " and shipped work from " + first.shipped() + " to "
                + last.shipped() + " items per week" + (last.costPerItem() == null || first.costPerItem() == null
                        ? "."
                        : "; cost per shipped item from " + Format.usd(first.costPerItem()) + " to "
                                + Format.usd(last.costPerItem()) + ".");
    }
}
