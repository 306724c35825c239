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

    private Vocabulary() {
    }
}
