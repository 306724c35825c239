package dev.yardstick.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.yardstick.digest.DigestFigures;
import dev.yardstick.digest.TrendChart;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ChartPngTest {

    @Test
    void theTrendIsDrawnAsAPngWithBarsAndALineAndDescribedInWords() throws Exception {
        List<DigestFigures.Week> trend = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            trend.add(new DigestFigures.Week(LocalDate.of(2026, 9, 21).plusWeeks(i), new BigDecimal(300 + 40 * i),
                    8 + i));
        }
        ChatMessage message = TrendChart.message("Payments", "2026-W46", trend);
        ChatMessage.Chart chart = (ChatMessage.Chart) message.blocks().get(0);
        assertEquals(8, chart.points().size());
        assertEquals("9 Nov", chart.points().get(7).label());
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
        String alt = "Over the last 8 weeks, weekly spend went from $300 to $580 and shipped work from 8 to 15 "
                + "items per week; cost per shipped item from $37.50 to $38.67.";
        assertEquals(alt, chart.altText());
        assertEquals(alt, message.text());
    }
}
