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
        return Map.of("yardstick.connectors.anthropic.admin-key", "test-anthropic-admin-key",
                "yardstick.connectors.anthropic.api-url", fake().url("anthropic"),
                "yardstick.connectors.openai.admin-key", "test-openai-admin-key",
                "yardstick.connectors.openai.api-url", fake().url("openai"));
    }

    @Override
    public void stop() {
        // kept for the whole JVM
    }
}
