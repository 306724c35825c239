package dev.yardstick.limits;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.RoundingMode;

/** One vendor whose spend caps follow team budgets: how a link is named, what is written, and how it is read back. */
interface CapSource {

    /** The source's name in the API ({@code litellm}, ...). */
    String name();

    /** The vendor as people read it ({@code LiteLLM}, ...). */
    String label();

    /** What setting is missing for this source to take links, or null when it is configured. */
    String missing();

    /** The link's target as stored, from the API's JSON; throws IllegalArgumentException saying what is wrong. */
    String target(JsonNode json);

    /** The target as the API shows it. */
    JsonNode json(String target);

    /** {@code weekly} or {@code monthly}: the period of the cap at the source. */
    String period(String target);

    /**
     * The cap at the source for a weekly budget, in its period and precision, rounded down: the weekly budget, or for
     * a monthly cap the weekly one × 52 / 12.
     */
    default BigDecimal amount(BigDecimal weekly, String target) {
        return "weekly".equals(period(target))
                ? weekly.setScale(2, RoundingMode.DOWN)
                : weekly.multiply(BigDecimal.valueOf(52)).divide(BigDecimal.valueOf(12), 2, RoundingMode.DOWN);
    }

    /** Writes the cap; {@code first}: the first write to this target since it was linked. */
    void write(String target, BigDecimal amountUsd, boolean first);

    /** The cap the source reports now, in USD; null when it has none. */
    BigDecimal read(String target);

    /** Cents as a whole number. */
    static long cents(BigDecimal usd) {
        return usd.movePointRight(2).setScale(0, RoundingMode.DOWN).longValueExact();
    }

    /** A non-blank string target of at most 300 characters without spaces. */
    static String plain(JsonNode json, String what) {
        if (json == null || !json.isTextual() || json.asText().isBlank() || json.asText().length() > 300
                || json.asText().matches(".*\\s.*")) {
            throw new IllegalArgumentException("target must be " + what);
        }
        return json.asText();
    }
}
