package dev.yardstick.limits;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.math.RoundingMode;

/** One vendor whose spend caps follow team budgets: how a link is named, what is written, and how it is read back. */
abstract class CapSource {

    private final String name;
    private final String label;
    private final String what;
    private final String period;

    /**
     * @param name   the source's name in the API
     * @param label  the vendor as people read it
     * @param what   what a plain string target is, for the message when it is wrong
     * @param period the period of the source's caps, {@code weekly} or {@code monthly}
     */
    CapSource(String name, String label, String what, String period) {
        this.name = name;
        this.label = label;
        this.what = what;
        this.period = period;
    }

    /** The source's name in the API ({@code litellm}, ...). */
    public String name() {
        return name;
    }

    /** The vendor as people read it ({@code LiteLLM}, ...). */
    public String label() {
        return label;
    }

    /** What setting is missing for this source to take links, or null when it is configured. */
    public abstract String missing();

    /**
     * The link's target as stored, from the API's JSON (here a plain string); throws IllegalArgumentException saying
     * what is wrong.
     */
    public String target(JsonNode json) {
        return plain(json, what);
    }

    /** The target as the API shows it. */
    public JsonNode json(String target) {
        return TextNode.valueOf(target);
    }

    /** {@code weekly} or {@code monthly}: the period of the cap at the source. */
    public String period(String target) {
        return period;
    }

    /**
     * The cap at the source for a weekly budget, in its period and precision, rounded down: the weekly budget, or for
     * a monthly cap the weekly one × 52 / 12.
     */
    public BigDecimal amount(BigDecimal weekly, String target) {
        return "weekly".equals(period(target))
                ? weekly.setScale(2, RoundingMode.DOWN)
                : weekly.multiply(BigDecimal.valueOf(52)).divide(BigDecimal.valueOf(12), 2, RoundingMode.DOWN);
    }

    /** Writes the cap; {@code first}: the first write to this target since it was linked. */
    public abstract void write(String target, BigDecimal amountUsd, boolean first);

    /** The cap the source reports now, in USD; null when it has none. */
    public abstract BigDecimal read(String target);

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
