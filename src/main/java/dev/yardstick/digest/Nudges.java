package dev.yardstick.digest;

import dev.yardstick.chat.Format;
import dev.yardstick.ledger.Summary;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * The digest's nudges: at most two, by these rules, in this order of priority (docs/digest.md).
 * They point at outcomes and waste, never at people, and never say "use more".
 */
public final class Nudges {

    /** At most this many nudges per digest. */
    public static final int MAX = 2;

    /**
     * The survival nudge needs at least this many AI-assisted pull requests merged or closed in the week, and as many
     * of the others, so that one pull request is never a trend.
     */
    public static final int MIN_PRS = 5;

    /** The survival nudge fires when AI-assisted survival is at least this far (0..1) below the others'. */
    public static final BigDecimal SURVIVAL_GAP = new BigDecimal("0.15");

    private Nudges() {
    }

    /** The nudges that fire for these figures, at most {@link #MAX}. */
    public static List<String> choose(DigestFigures f) {
        List<String> out = new ArrayList<>();
        // 1. spend up more than 30% while shipped work is flat or down
        if (f.previousSpend().signum() > 0
                && f.spend().compareTo(f.previousSpend().multiply(new BigDecimal("1.30"))) > 0
                && f.shippedTotal() <= f.previousShipped()) {
            out.add("Spend rose " + pct(f.spend(), f.previousSpend()) + " on last week while shipped work did not. "
                    + "Worth a look at long-running agents, retries and loops.");
        }
        // 2. cost per shipped item rising 3 weeks running
        List<DigestFigures.Week> t = f.trend();
        if (t.size() >= 4) {
            BigDecimal a = t.get(t.size() - 4).costPerItem(), b = t.get(t.size() - 3).costPerItem(),
                    c = t.get(t.size() - 2).costPerItem(), d = t.get(t.size() - 1).costPerItem();
            if (a != null && b != null && c != null && d != null && b.compareTo(a) > 0 && c.compareTo(b) > 0
                    && d.compareTo(c) > 0) {
                out.add("Cost per shipped item has risen three weeks running, from " + Format.usd(a) + " to "
                        + Format.usd(d) + ". A good moment to ask which work AI is really speeding up.");
            }
        }
        // 3. AI-assisted pull requests clearly kept less often than the others
        Summary.PrSurvival prs = f.prSurvival();
        if (prs != null && prs.aiAssisted().merged() + prs.aiAssisted().closed() >= MIN_PRS
                && prs.others().merged() + prs.others().closed() >= MIN_PRS
                && prs.others().survival().subtract(prs.aiAssisted().survival()).compareTo(SURVIVAL_GAP) >= 0) {
            out.add("AI-assisted PRs were kept less often than the others this week (" + percent(
                    prs.aiAssisted().survival()) + " against " + percent(prs.others().survival()) + "). Worth a look "
                    + "at what the closed and reverted ones have in common: task size, review, or how the work was "
                    + "described to the tool.");
        }
        // 4. premium-model share above 80%
        if (f.premiumShare() != null && f.premiumShare().compareTo(new BigDecimal("0.80")) > 0) {
            out.add(f.premiumShare().multiply(BigDecimal.valueOf(100)).setScale(0, RoundingMode.HALF_UP)
                    + "% of spend went to premium models. Routing simple work (summaries, small edits, tests) to "
                    + "efficient models costs a fraction and rarely changes the result.");
        }
        // 5. budget use under 10%: ask about barriers, never "use more"
        if (f.budget() != null && f.budget().signum() > 0
                && f.spend().compareTo(f.budget().multiply(new BigDecimal("0.10"))) < 0) {
            out.add("The team used " + Format.percent(f.spend(), f.budget()) + " of its budget. That is fine if "
                    + "the work didn't need more; if something gets in the way of using AI where it would help "
                    + "(access, tooling, trust), that is worth asking about.");
        }
        // 6. a positive note when cost per shipped item fell
        if (t.size() >= 2) {
            BigDecimal before = t.get(t.size() - 2).costPerItem(), now = t.get(t.size() - 1).costPerItem();
            if (before != null && now != null && now.compareTo(before) < 0) {
                out.add("Cost per shipped item fell from " + Format.usd(before) + " to " + Format.usd(now)
                        + ". Nice work.");
            }
        }
        return out.size() > MAX ? List.copyOf(out.subList(0, MAX)) : List.copyOf(out);
    }

    /** A share 0..1 as a whole percentage, {@code 76%}. */
    static String percent(BigDecimal share) {
        return share.multiply(BigDecimal.valueOf(100)).setScale(0, RoundingMode.HALF_UP) + "%";
    }

    private static String pct(BigDecimal now, BigDecimal before) {
        return now.subtract(before).multiply(BigDecimal.valueOf(100)).divide(before, 0, RoundingMode.HALF_UP) + "%";
    }
}
