package dev.yardstick.ledger;

import java.util.Set;

/** The fixed values of event fields. */
public final class Vocabulary {

    /** Tools a usage event may name. */
    public static final Set<String> TOOLS = Set.of("claude-code", "cursor", "copilot", "codex", "gemini-cli",
            "anthropic-api", "openai-api", "other");

    /** Kinds of shipped work an outcome event may name. */
    public static final Set<String> OUTCOME_KINDS = Set.of("pr_merged", "ticket_resolved", "deployment",
            "incident_resolved", "other");

    /**
     * Kinds of outcome events that are not shipped work (webhooks only): a pull request closed without merging, a
     * merged pull request that reverts another, a failed deployment. They never count in {@code outcomesTotal}, cost
     * per item or a member's shipped items; they feed the survival and change-failure figures.
     */
    public static final Set<String> NOT_SHIPPED_KINDS = Set.of("pr_closed", "pr_reverted", "deployment_failed");

    /** The SQL condition that keeps shipped work only, on a table with a {@code kind} column. */
    static final String SHIPPED_ONLY = "kind not in ('deployment_failed', 'pr_closed', 'pr_reverted')";

    private Vocabulary() {
    }
}
