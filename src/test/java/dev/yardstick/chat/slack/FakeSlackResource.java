package dev.yardstick.chat.slack;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** Starts one {@link FakeSlack} for the whole test run and points the service at it. */
public class FakeSlackResource implements QuarkusTestResourceLifecycleManager {

    /** The signing secret the tests sign with. */
    public static final String SIGNING_SECRET = "test-signing-secret";
    /** The single-workspace bot token. */
    public static final String BOT_TOKEN = "xoxb-test-token";

    private static FakeSlack fake;

    /** The running fake. */
    public static synchronized FakeSlack fake() {
        if (fake == null) {
            try {
                fake = new FakeSlack();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return fake;
    }

    @Override
    public Map<String, String> start() {
        // the opt-in exactly-once mode (history scopes granted), which the in-doubt tests exercise
        return Map.of("slack.api-url", fake().apiUrl(), "slack.signing-secret", SIGNING_SECRET,
                "slack.bot-token", BOT_TOKEN, "slack.settle-with-history", "true");
    }

    @Override
    public void stop() {
        // kept for the whole JVM: profiles restart the app, the fake stays
    }
}
