package dev.yardstick.digest;

import dev.yardstick.chat.ChatMessage;
import dev.yardstick.chat.Format;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * The digest's 8-week trend as a chart (spend as bars, shipped items as a line, the weekly budget as a labelled
 * horizontal line), with its alt text.
 */
public final class TrendChart {

    private static final DateTimeFormatter WEEK = DateTimeFormatter.ofPattern("d MMM", Locale.US);

    private TrendChart() {
    }

    /**
     * The trend as a chart block of the digest, drawn by each platform when it delivers.
     *
     * @param budget the week's effective budget, drawn as a line; null or zero for none
     */
    public static ChatMessage.Chart chart(String teamName, String week, List<DigestFigures.Week> trend,
            java.math.BigDecimal budget) {
        boolean line = budget != null && budget.signum() > 0;
        return new ChatMessage.Chart("Spend and shipped work, last " + trend.size() + " weeks · " + teamName + " · "
                + week, altText(trend) + (line ? " The weekly budget is " + Format.usd(budget) + "." : ""),
                "Spend (USD)", "Shipped items", trend.stream()
                        .map(w -> new ChatMessage.Point(WEEK.format(w.monday()), w.spend(), w.shipped()))
                        .toList(),
                line ? budget : null, line ? "Weekly budget " + Format.usd(budget) : null, false);
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
