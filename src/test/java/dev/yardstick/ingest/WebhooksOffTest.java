package dev.yardstick.ingest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With no webhook secrets set, each webhook is off and says which variable to set. */
@QuarkusTest
@TestProfile(WebhooksOffTest.NoSecrets.class)
class WebhooksOffTest {

    /** The webhook secrets unset. */
    public static class NoSecrets implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("yardstick.webhooks.github-secret", "", "yardstick.webhooks.linear-secret", "",
                    "yardstick.webhooks.jira-secret", "", "yardstick.limits.litellm.webhook-secret", "");
        }
    }

    @Test
    void everyWebhookAnswers503() {
        given().contentType("application/json").header("X-GitHub-Event", "ping")
                .header("X-Hub-Signature-256", "sha256=00").body("{}").post("/webhooks/github")
                .then().statusCode(503).contentType("application/problem+json")
                .body("detail", containsString("GITHUB_WEBHOOK_SECRET"));
        given().contentType("application/json").body("{}").post("/webhooks/linear")
                .then().statusCode(503).body("detail", containsString("LINEAR_WEBHOOK_SECRET"));
        given().contentType("application/json").queryParam("token", "").body("{}").post("/webhooks/jira")
                .then().statusCode(503).body("detail", containsString("JIRA_WEBHOOK_SECRET"));
        given().contentType("application/json").queryParam("token", "").body("{}").post("/webhooks/litellm")
                .then().statusCode(503).contentType("application/problem+json")
                .body("detail", containsString("LITELLM_WEBHOOK_SECRET"));
    }
}
