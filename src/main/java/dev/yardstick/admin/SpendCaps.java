package dev.yardstick.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The places where a team's spending is capped (LiteLLM, Anthropic, OpenAI, GitHub Copilot), as the limits feature
 * keeps them in step with the team's budget; the team API takes and shows them ({@code limits}).
 */
public interface SpendCaps {

    /**
     * One cap: {@code source} ({@code litellm}, {@code anthropic}, {@code openai}, {@code github-copilot}) and its
     * {@code target} (a string, or for Anthropic a scope object) as docs/limits.md describes.
     */
    record Link(String source, JsonNode target) {
    }

    /**
     * Makes these the team's caps, in the caller's transaction, and queues a write of the team's cap to each; null or
     * empty unlinks them all (the caps at the vendors stay as they are). Throws a 400 or 409 problem for a link it
     * cannot take.
     */
    void link(String teamKey, List<Link> links);

    /** The team's caps in the order given. */
    List<Link> of(String teamKey);
}
