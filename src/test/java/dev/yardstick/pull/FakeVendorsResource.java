package dev.yardstick.pull;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** Starts one {@link FakeVendors} for the whole test run and points the pullers at it. */
public class FakeVendorsResource implements QuarkusTestResourceLifecycleManager {

    private static FakeVendors fake;

    /** The running fake. */
    public static synchronized FakeVendors fake() {
        if (fake == null) {
            try {
                fake = new FakeVendors();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return fake;
    }

    @Override
    public Map<String, String> start() {
        return Map.ofEntries(Map.entry("yardstick.connectors.anthropic.admin-key", "test-anthropic-admin-key"),
                Map.entry("yardstick.connectors.anthropic.api-url", fake().url("anthropic")),
                Map.entry("yardstick.connectors.openai.admin-key", "test-openai-admin-key"),
                Map.entry("yardstick.connectors.openai.api-url", fake().url("openai")),
                Map.entry("yardstick.connectors.api-key-teams", PullersTest.KEY_TEAMS),
                Map.entry("yardstick.connectors.cursor.admin-key", "test-cursor-admin-key"),
                Map.entry("yardstick.connectors.cursor.api-url", fake().url("cursor")),
                Map.entry("yardstick.connectors.cursor.request-interval", "150ms"),
                Map.entry("yardstick.connectors.github.token", "test-github-token"),
                Map.entry("yardstick.connectors.github.api-url", fake().url("github")),
                Map.entry("yardstick.connectors.github.org", "acme-test"),
                Map.entry("yardstick.connectors.github.seat-price-usd", "19"));
    }

    @Override
    public void stop() {
        // kept for the whole JVM
    }
}
