package dev.yardstick.chat.slack;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.yardstick.Api;
import dev.yardstick.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** Distributed mode: installing through OAuth stores the workspace in PostgreSQL and finds it again. */
@QuarkusTest
@TestProfile(SlackOAuthTest.OAuthMode.class)
class SlackOAuthTest {

    /** Client id and secret set, no single-workspace token. */
    public static class OAuthMode implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("slack.client-id", "1111.2222", "slack.client-secret", "client-secret",
                    "slack.bot-token", "", "slack.redirect-uri", "https://yardstick.example.com/slack/oauth_redirect");
        }
    }

    @Inject
    DataSource ds;

    FakeSlack slack = FakeSlackResource.fake();

    @Test
    void installStoresTheWorkspaceAndRequestsFromItAreAuthorized() {
        slack.reset();
        Response install = given().redirects().follow(false).get("/slack/install");
        String page = install.asString();
        Matcher authorize = Pattern.compile("https://slack\\.com/oauth/v2/authorize\\?[^\"'<> ]+").matcher(page);
        String location = authorize.find() ? authorize.group() : install.header("Location");
        assertNotNull(location, "install answers with Slack's authorize URL: " + page);
        assertTrue(location.contains("client_id=1111.2222"), location);
        assertTrue(location.contains("scope=commands"), location);
        Matcher st = Pattern.compile("state=([^&\"]+)").matcher(location);
        assertTrue(st.find());
        String state = URLDecoder.decode(st.group(1), StandardCharsets.UTF_8);
        String cookie = install.getCookie("slack-app-oauth-state");
        assertNotNull(cookie, "state cookie set");
        assertEquals(1, Db.scalar(ds, "select count(*) from slack_oauth_state where state = ?", state));

        // a forged state is refused and stores nothing
        given().redirects().follow(false).cookie("slack-app-oauth-state", cookie)
                .get("/slack/oauth_redirect?code=c0de&state=forged");
        assertEquals(0, Db.scalar(ds, "select count(*) from slack_installation where team_id = 'T0OAUTH'"));

        given().redirects().follow(false).cookie("slack-app-oauth-state", cookie)
                .get("/slack/oauth_redirect?code=c0de&state=" + state)
                .then().statusCode(org.hamcrest.Matchers.lessThan(400));
        assertEquals(1, slack.calls("oauth.v2.access").size());
        assertTrue(slack.calls("oauth.v2.access").get(0).authorization().startsWith("Basic "));
        assertEquals("xoxb-installed-token",
                Db.string(ds, "select bot_token from slack_installation where team_id = 'T0OAUTH'"));
        assertEquals(0, Db.scalar(ds, "select count(*) from slack_oauth_state where state = ?", state),
                "state used once");

        // a command from the installed workspace is authorized with the stored token
        String user = "U" + Api.unique().toUpperCase();
        String body = SlackRequests.commandBody(user, "help", slack.responseUrl("oauth-help"))
                .replace("team_id=T0001", "team_id=T0OAUTH");
        SlackRequests.post("application/x-www-form-urlencoded", body).then().statusCode(200)
                .body(containsString("/ai-spend team"));
        assertTrue(slack.calls("auth.test").stream()
                .anyMatch(c -> "Bearer xoxb-installed-token".equals(c.authorization())));

        // uninstalling removes the installation
        String uninstall = ("{\"token\":\"legacy\",\"team_id\":\"T0OAUTH\",\"api_app_id\":\"A0001\",\"type\":\"event_callback\","
                + "\"event_id\":\"EvU1\",\"event_time\":1700000000,\"event\":{\"type\":\"app_uninstalled\",\"event_ts\":\"1700000000.1\"}}");
        SlackRequests.post("application/json", uninstall).then().statusCode(200);
        assertEquals(0, Db.scalar(ds, "select count(*) from slack_installation where team_id = 'T0OAUTH'"));
    }
}
