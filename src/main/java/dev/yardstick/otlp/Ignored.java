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

    int rejected() {
        return noUser + outOfWindow;
    }
}
