package dev.yardstick.chat.slack;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.yardstick.Api;
import dev.yardstick.Db;
import dev.yardstick.chat.ChatMessage;
import dev.yardstick.chat.MessageKey;
import dev.yardstick.chat.Messenger;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
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
            // and the default delivery: no history scopes, so nothing is settled by reading a conversation
            return Map.of("slack.client-id", "1111.2222", "slack.client-secret", "client-secret",
                    "slack.bot-token", "", "slack.redirect-uri", "https://yardstick.example.com/slack/oauth_redirect",
                    "slack.settle-with-history", "false");
        }
    }

    @Inject
    DataSource ds;
    @Inject
    Messenger messenger;

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
        Matcher scope = Pattern.compile("[?&;]scope=([^&]*)").matcher(location);
        assertTrue(scope.find(), location);
        String scopes = URLDecoder.decode(scope.group(1), StandardCharsets.UTF_8);
        assertEquals("commands,chat:write,files:write,im:write,users:read,users:read.email,usergroups:read", scopes,
                "only what is needed by default: no history scopes");
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

    /** Starts an install; answers the state and the state cookie. */
    private String[] startInstall() {
        Response install = given().redirects().follow(false).get("/slack/install");
        Matcher authorize = Pattern.compile("https://slack\\.com/oauth/v2/authorize\\?[^\"'<> ]+")
                .matcher(install.asString());
        String location = authorize.find() ? authorize.group() : install.header("Location");
        Matcher st = Pattern.compile("state=([^&\"]+)").matcher(location);
        assertTrue(st.find(), location);
        return new String[]{URLDecoder.decode(st.group(1), StandardCharsets.UTF_8),
                install.getCookie("slack-app-oauth-state")};
    }

    @Test
    void anOrgWideEnterpriseGridInstallServesEveryWorkspaceOfTheOrg() {
        slack.reset();
        String[] state = startInstall();
        given().redirects().follow(false).cookie("slack-app-oauth-state", state[1])
                .get("/slack/oauth_redirect?code=org-c0de&state=" + state[0])
                .then().statusCode(org.hamcrest.Matchers.lessThan(400));
        assertEquals(FakeSlack.ORG_TOKEN, Db.string(ds, "select bot_token from slack_installation "
                + "where enterprise_id = ? and team_id is null", FakeSlack.ENTERPRISE), "one row for the enterprise");

        // a command from a workspace of the org, as Slack sends it there: authorized with the org-wide token
        String team = "grid-" + Api.unique();
        String channel = "CGRID" + Api.unique().toUpperCase();
        String email = "grid-" + Api.unique() + "@example.com";
        Api.admin().body(Map.of("name", "Grid team", "slackChannelId", channel)).put("/api/v1/teams/" + team).then()
                .statusCode(201);
        Api.admin().body(Map.of("displayName", "Gil", "team", team)).put("/api/v1/members/" + email).then()
                .statusCode(201);
        String user = "W" + Api.unique().toUpperCase();
        slack.user(user, email);
        String body = SlackRequests.commandBody(user, "", slack.responseUrl("grid"))
                .replace("team_id=T0001", "team_id=T0GRIDA&enterprise_id=" + FakeSlack.ENTERPRISE)
                .replace("is_enterprise_install=false", "is_enterprise_install=true");
        SlackRequests.post("application/x-www-form-urlencoded", body).then().statusCode(200)
                .body(containsString("Looking up your week…"));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> slack.calls("respond", c -> c.param("id").equals("grid")).size() == 1);
        assertTrue(slack.calls("respond", c -> c.param("id").equals("grid")).get(0).body().contains("Your AI use"));
        assertEquals(List.of("Bearer " + FakeSlack.ORG_TOKEN),
                slack.calls("users.info").stream().map(FakeSlack.Call::authorization).distinct().toList());
        assertEquals("T0GRIDA", Db.string(ds, "select slack_team_id from member where email = ?", email));

        // a message to that workspace goes out with the org-wide token; without the history scopes a post whose
        // answer was lost is sent again (at least once), and no conversation is read
        slack.nextPost(Duration.ZERO, true);
        MessageKey key = MessageKey.of("grid", team);
        QuarkusTransaction.requiringNew().run(() -> messenger.toTeamChannel(team, key,
                ChatMessage.builder("grid").paragraph("grid").build()));
        await().atMost(Duration.ofSeconds(30)).until(() -> "sent".equals(
                Db.string(ds, "select status from outbox_message where dedupe_key = ?", key.value())));
        List<FakeSlack.Call> posts = slack.calls("chat.postMessage", c -> channel.equals(c.param("channel")));
        assertEquals(2, posts.size(), posts.toString());
        assertTrue(posts.stream().allMatch(c -> ("Bearer " + FakeSlack.ORG_TOKEN).equals(c.authorization())));
        assertEquals(2, slack.history(channel).size(), "sent again: it shows twice");
        assertTrue(slack.calls("conversations.history").isEmpty());

        // uninstalled from the org: the enterprise's row goes
        String uninstall = "{\"token\":\"legacy\",\"enterprise_id\":\"" + FakeSlack.ENTERPRISE + "\","
                + "\"team_id\":\"T0GRIDA\",\"api_app_id\":\"A0001\",\"type\":\"event_callback\","
                + "\"event_id\":\"EvU2\",\"event_time\":1700000000,\"is_enterprise_install\":true,"
                + "\"authorizations\":[{\"enterprise_id\":\"" + FakeSlack.ENTERPRISE + "\",\"team_id\":null,"
                + "\"user_id\":\"WBOTORG\",\"is_bot\":true,\"is_enterprise_install\":true}],"
                + "\"event\":{\"type\":\"app_uninstalled\",\"event_ts\":\"1700000000.2\"}}";
        SlackRequests.post("application/json", uninstall).then().statusCode(200);
        assertEquals(0, Db.scalar(ds, "select count(*) from slack_installation where enterprise_id = ?",
                FakeSlack.ENTERPRISE));
    }
}
