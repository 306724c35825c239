package dev.yardstick.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.yardstick.digest.DigestFigures;
import dev.yardstick.digest.TrendChart;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.CategoryPlot;
import org.junit.jupiter.api.Test;

class ChartPngTest {

    private static List<DigestFigures.Week> trend() {
        List<DigestFigures.Week> trend = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            trend.add(new DigestFigures.Week(LocalDate.of(2026, 9, 21).plusWeeks(i), new BigDecimal(300 + 40 * i),
                    8 + i));
        }
        return trend;
    }

    @Test
    void theTrendIsDrawnAsAPngWithBarsAndALineAndDescribedInWords() throws Exception {
        ChatMessage.Chart chart = TrendChart.chart("Payments", "2026-W46", trend(), null);
        assertEquals(8, chart.points().size());
        assertEquals("9 Nov", chart.points().get(7).label());
        assertNull(chart.budget(), "no budget, no line");
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(ChartPng.encode(ChartPng.render(chart))));
        assertEquals(ChartPng.WIDTH, image.getWidth());
        assertEquals(ChartPng.HEIGHT, image.getHeight());
        int bars = 0;
        int line = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                bars += rgb == (ChartPng.BARS.getRGB() & 0xffffff) ? 1 : 0;
                line += rgb == (ChartPng.LINE.getRGB() & 0xffffff) ? 1 : 0;
            }
        }
        assertTrue(bars > 20_000, "spend bars drawn in their colour, not channel-swapped: " + bars);
        assertTrue(line > 500, "shipped line drawn: " + line);
        assertEquals(-1, budgetRow(image), "no budget line drawn");
        String alt = "Over the last 8 weeks, weekly spend went from $300 to $580 and shipped work from 8 to 15 "
                + "items per week; cost per shipped item from $37.50 to $38.67.";
        assertEquals(alt, chart.altText());
        assertTrue(!chart.personal(), "a team's chart");
    }

    @Test
    void theDigestChartDrawsTheWeeklyBudgetAsALabelledLineAtItsValue() throws Exception {
        ChatMessage.Chart chart = TrendChart.chart("Payments", "2026-W46", trend(), new BigDecimal("700"));
        assertEquals("Weekly budget $700", chart.budgetLabel());
        assertTrue(chart.altText().endsWith(" The weekly budget is $700."), chart.altText());
        // where the axis puts 700 in the plot as drawn
        JFreeChart drawn = ChartPng.chart(chart);
        ChartRenderingInfo info = new ChartRenderingInfo();
        drawn.createBufferedImage(ChartPng.WIDTH, ChartPng.HEIGHT, BufferedImage.TYPE_3BYTE_BGR, info);
        Rectangle2D area = info.getPlotInfo().getDataArea();
        CategoryPlot plot = drawn.getCategoryPlot();
        int expected = (int) Math.round(plot.getRangeAxis(0).valueToJava2D(700, area, plot.getRangeAxisEdge(0)));
        assertTrue(plot.getRangeAxis(0).getUpperBound() > 700, "the axis reaches above the budget");
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(ChartPng.encode(ChartPng.render(chart))));
        int row = budgetRow(image);
        assertTrue(row >= 0, "a horizontal line in the budget's colour");
        assertTrue(Math.abs(row - expected) <= 1, "the line at 700 on the spend axis: row " + row + ", expected "
                + expected);
        // and above every bar: the highest spend is $580
        int top580 = (int) Math.round(plot.getRangeAxis(0).valueToJava2D(580, area, plot.getRangeAxisEdge(0)));
        assertTrue(row < top580, "the budget line above the highest bar");
    }

    /** The row where most of the width is the budget's colour (within anti-aliasing), or -1. */
    static int budgetRow(BufferedImage image) {
        int best = -1;
        int bestCount = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            int count = 0;
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                int r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;
                int br = ChartPng.BUDGET.getRed(), bg = ChartPng.BUDGET.getGreen(), bb = ChartPng.BUDGET.getBlue();
                if (Math.abs(r - br) + Math.abs(g - bg) + Math.abs(b - bb) < 40) {
                    count++;
                }
            }
            if (count > bestCount) {
                bestCount = count;
                best = y;
            }
        }
        return bestCount > image.getWidth() / 2 ? best : -1;
    }
}
