package dev.yardstick.budget;

import java.util.List;

/**
 * Where a team's budget is enforced outside Yardstick and whether its caps follow it yet, as the approving manager's
 * message and the requester's DM show it. Declared here, implemented by the feature that writes the caps
 * ({@code limits}), which tells {@link BudgetService#capsChanged} when a write settles.
 */
public interface CapStatus {

    /** A team's caps now. */
    Caps of(String teamKey);

    /**
     * @param places   one line per linked cap, {@code "LiteLLM: applied"}, {@code "Anthropic: retrying, 503"}; empty
     *                 when the team has none
     * @param sources  the vendors the caps are at, {@code "LiteLLM and Anthropic"}; null without caps
     * @param settled  whether every cap holds the amount Yardstick wants
     * @param ceiling  what the ceiling did to the caps (a sentence), or null when it did nothing
     */
    record Caps(List<String> places, String sources, boolean settled, String ceiling) {

        /** No caps linked. */
        public static final Caps NONE = new Caps(List.of(), null, true, null);

        /** Whether the team has caps linked. */
        public boolean linked() {
            return !places.isEmpty();
        }
    }
}
