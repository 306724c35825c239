package dev.yardstick.limits;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** Starts one {@link FakeCaps} for the whole test run and points the cap writers at it. */
public class FakeCapsResource implements QuarkusTestResourceLifecycleManager {

    private static FakeCaps fake;

    /** The running fake. */
    public static synchronized FakeCaps fake() {
        if (fake == null) {
            try {
                fake = new FakeCaps();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return fake;
    }

    /** The token LiteLLM's webhook URL carries in the tests. */
    public static final String WEBHOOK_SECRET = "test-litellm-webhook-secret";
    /** The ceiling of weekly caps in the tests: above every budget but the one the ceiling test uses. */
    public static final String CEILING = "1000";

    @Override
    public Map<String, String> start() {
        return Map.ofEntries(Map.entry("yardstick.limits.litellm.url", fake().url("litellm")),
                Map.entry("yardstick.limits.litellm.master-key", FakeCaps.LITELLM_KEY),
                Map.entry("yardstick.limits.anthropic.admin-key", FakeCaps.ANTHROPIC_KEY),
                Map.entry("yardstick.limits.anthropic.api-url", fake().url("anthropic")),
                Map.entry("yardstick.limits.openai.admin-key", FakeCaps.OPENAI_KEY),
                Map.entry("yardstick.limits.openai.api-url", fake().url("openai")),
                Map.entry("yardstick.limits.github.token", FakeCaps.GITHUB_TOKEN),
                Map.entry("yardstick.limits.github.org", FakeCaps.GITHUB_ORG),
                Map.entry("yardstick.limits.github.api-url", fake().url("github")),
                Map.entry("yardstick.limits.litellm.webhook-secret", WEBHOOK_SECRET),
                Map.entry("yardstick.limits.max-weekly-usd", CEILING));
    }

    @Override
    public void stop() {
        // kept for the whole JVM
    }
}
