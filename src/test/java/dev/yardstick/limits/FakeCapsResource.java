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

    @Override
    public Map<String, String> start() {
        return Map.of("yardstick.limits.litellm.url", fake().url("litellm"),
                "yardstick.limits.litellm.master-key", FakeCaps.LITELLM_KEY,
                "yardstick.limits.anthropic.admin-key", FakeCaps.ANTHROPIC_KEY,
                "yardstick.limits.anthropic.api-url", fake().url("anthropic"),
                "yardstick.limits.openai.admin-key", FakeCaps.OPENAI_KEY,
                "yardstick.limits.openai.api-url", fake().url("openai"),
                "yardstick.limits.github.token", FakeCaps.GITHUB_TOKEN,
                "yardstick.limits.github.org", FakeCaps.GITHUB_ORG,
                "yardstick.limits.github.api-url", fake().url("github"));
    }

    @Override
    public void stop() {
        // kept for the whole JVM
    }
}
