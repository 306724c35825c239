package dev.yardstick.chat.preview;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** No chat credentials (so messages go to the local preview), and the demo organisation seeded. */
public class PreviewMode implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("slack.signing-secret", "", "slack.bot-token", "", "yardstick.demo", "true");
    }
}
