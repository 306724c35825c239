package dev.yardstick.chat;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Locale;

/** Number formats shared by every message. */
public final class Format {

    private Format() {
    }

    /** US dollars, two decimals under $100, whole dollars above: {@code $38.20}, {@code $1,520}. */
    public static String usd(BigDecimal v) {
        if (v == null) {
            return "–";
        }
        DecimalFormat f = new DecimalFormat(v.abs().compareTo(BigDecimal.valueOf(100)) < 0 ? "$#,##0.00" : "$#,##0",
                DecimalFormatSymbols.getInstance(Locale.US));
        f.setRoundingMode(RoundingMode.HALF_UP);
        return f.format(v);
    }

    /** A whole percentage: {@code 42%}. */
    public static String percent(BigDecimal part, BigDecimal whole) {
        if (whole == null || whole.signum() == 0) {
            return "–";
        }
        return part.multiply(BigDecimal.valueOf(100)).divide(whole, 0, RoundingMode.HALF_UP) + "%";
    }

    /** Token counts in words a person reads at a glance: {@code 950}, {@code 12.3K}, {@code 4.1M}. */
    public static String count(long n) {
        if (n < 1_000) {
            return Long.toString(n);
        }
        if (n < 1_000_000) {
            return String.format(Locale.US, "%.1fK", n / 1_000.0);
        }
        if (n < 1_000_000_000) {
            return String.format(Locale.US, "%.1fM", n / 1_000_000.0);
        }
        return String.format(Locale.US, "%.1fB", n / 1_000_000_000.0);
    }
}
