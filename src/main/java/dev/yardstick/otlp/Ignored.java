package dev.yardstick.otlp;

/** What an OTLP request carried that Yardstick did not keep, by reason (for the ignored counter). */
final class Ignored {

    /** Events or metrics Yardstick does not map. */
    int unknown;
    /** Known events without usage (such as Codex stream events other than {@code response.completed}). */
    int noUsage;
    /** Known events or data points without a valid {@code user.email}. */
    int noUser;
    /** Times more than 5 minutes ahead or older than the raw retention. */
    int outOfWindow;
    /** Data points of a known metric in a form Yardstick does not read (not a delta or cumulative sum). */
    int unsupported;
    /** Records or data points with a number beyond the ledger's bounds or text it cannot store. */
    int invalid;
    /** The first such reason, for the response's error message. */
    String invalidReason;
    /** Data points whose usage adds up beyond the ledger's bounds (counted where the batch is stored). */
    int tooLarge;
    /** Records or data points whose usage is beyond the plausibility limits ({@code ledger.Plausibility}). */
    int implausible;
    /** The first such reason, for the response's error message. */
    String implausibleReason;
    /** Records or data points of people the token's scope does not cover. */
    int outOfScope;
    /** The first such refusal, for the response's error message. */
    String outOfScopeReason;

    void invalid(String reason) {
        if (invalid++ == 0) {
            invalidReason = reason;
        }
    }

    /** {@code n} records or data points refused by the plausibility limits, with the reason. */
    void implausible(String reason, int n) {
        if (implausible == 0) {
            implausibleReason = reason;
        }
        implausible += n;
    }

    void outOfScope(String refusal) {
        if (outOfScope++ == 0) {
            outOfScopeReason = refusal;
        }
    }

    int rejected() {
        return noUser + outOfWindow + invalid + tooLarge + implausible + outOfScope;
    }

    /** Why records or data points were rejected, for OTLP's {@code partialSuccess.errorMessage}. */
    String reason(String what) {
        java.util.List<String> parts = new java.util.ArrayList<>();
        if (invalid > 0) {
            parts.add(invalid + " " + what + " with a value Yardstick cannot store (first: " + invalidReason + ")");
        }
        if (tooLarge > 0) {
            parts.add(tooLarge + " " + what + " whose usage adds up beyond the ledger's bounds (tokens at most "
                    + dev.yardstick.ledger.Bounds.MAX_COUNT + ", cost below "
                    + dev.yardstick.ledger.Bounds.MAX_COST_USD.toPlainString() + " USD)");
        }
        if (implausible > 0) {
            parts.add(implausible + " " + what + " beyond the plausibility limits (first: " + implausibleReason + ")");
        }
        if (outOfScope > 0) {
            parts.add(outOfScope + " " + what + " this ingest token may not send (first: " + outOfScopeReason + ")");
        }
        if (noUser > 0) {
            parts.add(noUser + " " + what + " without a user.email attribute (on the record or the resource)");
        }
        if (outOfWindow > 0) {
            parts.add(outOfWindow + " " + what
                    + " more than 5 minutes ahead or older than the retention window");
        }
        return "Not kept: " + String.join("; ", parts) + ".";
    }
}
