package dev.yardstick.chat.preview;

import static dev.yardstick.Api.admin;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.yardstick.Api;
import dev.yardstick.Db;
import dev.yardstick.budget.Weeks;
import dev.yardstick.demo.DemoSeeder;
import dev.yardstick.digest.DigestService;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** No Slack credentials: every message goes to the local preview, and the demo organisation is seeded. */
@QuarkusTest
@TestProfile(PreviewMode.class)
class PreviewTest {

    private static final String DEMO_ALERTS = "select count(*) from alert where kind = 'runaway' and member_id in"
            + " (select id from member where email like '%@demo.yardstick.dev')";
    @Inject
    dev.yardstick.watch.Watcher watcher;

    @Inject
    DataSource ds;
    @Inject
    DemoSeeder demo;

    @Test
    void theDemoOrganisationsDigestsArePublishedToThePreview() {
        String page = given().get("/preview").then().statusCode(200).contentType(ContentType.HTML).extract().asString();
        for (String channel : List.of("#payments · Payments channel", "#mobile · Mobile channel",
                "#platform · Platform channel")) {
            assertTrue(page.contains(channel), channel);
        }
        assertTrue(page.contains("Direct messages to Carlos Mendez"),
                "the pending budget request reached Mobile's manager");
        assertTrue(page.contains("Budget request from Hana Kim"));
        assertTrue(page.contains("AI use, week of"));
        java.util.regex.Matcher chart = java.util.regex.Pattern
                .compile("<img src=\"(/images/[A-Za-z0-9_-]+/\\d+/[A-Za-z0-9_-]+\\.png)\"").matcher(page);
        assertTrue(chart.find(), "the 8-week chart is shown, by its signed path as Slack and Teams get it");
        byte[] png = given().get(chart.group(1)).then().statusCode(200).contentType("image/png").extract()
                .asByteArray();
        assertEquals('P', png[1], "a PNG");
        given().get(chart.group(1).replaceFirst("/\\d+/", "/1/")).then().statusCode(404);
        for (String team : List.of("payments", "mobile", "platform")) {
            admin().get("/api/v1/teams/" + team + "/digests").then().statusCode(200)
                    .body("platform", org.hamcrest.Matchers.everyItem(equalTo("preview")))
                    .body("status", org.hamcrest.Matchers.everyItem(equalTo("sent")))
                    .body("destination", equalTo(List.of("channel")));
        }
    }

    @Test
    void seedingAgainAddsNothingAndPublishesNothingTwice() {
        // the demo's events reach up to the moment of seeding: first catch up with what is due since the start
        Instant now = Instant.now();
        demo.seed(now);
        long events = Db.scalar(ds, "select count(*) from usage_event_named where origin = 'd'");
        long outcomes = Db.scalar(ds, "select count(*) from outcome_event where id like 'demo:%'");
        long messages = Db.scalar(ds, "select count(*) from outbox_message where dedupe_key like 'digest:%'");
        long requests = Db.scalar(ds, "select count(*) from budget_request");
        demo.seed(now);
        assertEquals(events, Db.scalar(ds, "select count(*) from usage_event_named where origin = 'd'"));
        assertEquals(outcomes, Db.scalar(ds, "select count(*) from outcome_event where id like 'demo:%'"));
        assertEquals(messages, Db.scalar(ds, "select count(*) from outbox_message where dedupe_key like 'digest:%'"));
        assertEquals(requests, Db.scalar(ds, "select count(*) from budget_request"));
        assertTrue(events > 1000, "ten weeks of usage: " + events);
        long nights = Db.scalar(ds,
                "select count(distinct session_id) from usage_event where session_id like 'demo-loop-%'");
        assertTrue(nights == 1 || nights == 2,
                "the last night's runaway session (two if a night passed since the start)");
        assertEquals(212 * nights, Db.scalar(ds,
                "select count(*) from usage_event where session_id like 'demo-loop-%'"), "212 requests a session");
        // the loop alerts, the heavy but healthy sessions of the last day do not: exactly one runaway alert
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> watcher.idle()
                && Db.scalar(ds, DEMO_ALERTS) >= 1);
        assertEquals(1, Db.scalar(ds, DEMO_ALERTS), "exactly the loop's alert");
        assertEquals(1, Db.scalar(ds, DEMO_ALERTS + " and session_key like 'demo-loop-%'"
                + " and evidence like 'the same 48k-token request % times in %'"));
        // ten weeks of history: the nine full weeks before this one (this one may have just begun)
        assertEquals(9, Db.scalar(ds, """
                select count(distinct date_trunc('week', time at time zone 'UTC')) from usage_event_named
                where team_key = 'platform' and time < date_trunc('week', now() at time zone 'UTC') at time zone 'UTC'
                """), "nine full weeks before this one");
        assertEquals(1, Db.scalar(ds, """
                select count(*) from (select min(time) t from usage_event_named where team_key = 'platform') m
                where m.t < date_trunc('week', now() at time zone 'UTC') at time zone 'UTC' - interval '8 weeks'
                """), "the oldest week is nine weeks before this one");
    }

    /** The token of the page's forms, read as a browser would. */
    static String csrf() {
        Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(given().get("/preview").asString());
        assertTrue(m.find(), "the page carries a CSRF token");
        return m.group(1);
    }

    @Test
    void aManagerApprovesInThePreviewOnceAndASecondPressChangesNothing() {
        long grace = Db.scalar(ds, "select id from member where email = 'grace.obi@demo.yardstick.dev'");
        long daniel = Db.scalar(ds, "select id from member where email = 'daniel.roth@demo.yardstick.dev'");
        given().redirects().follow(false).contentType(ContentType.URLENC).formParam("csrf", csrf())
                .formParam("member", "daniel.roth@demo.yardstick.dev").formParam("text", "request 75 preview approval")
                .post("/preview/ai-spend").then().statusCode(303);
        long request = Db.scalar(ds, "select max(id) from budget_request where reason = 'preview approval'");
        String page = given().get("/preview?to=member:" + grace).then().statusCode(200).extract().asString();
        assertTrue(page.contains("<input type=\"hidden\" name=\"value\" value=\"" + request + "\">"), page);
        for (int press = 0; press < 2; press++) {
            given().redirects().follow(false).contentType(ContentType.URLENC).formParam("csrf", csrf())
                    .formParam("as", grace).formParam("action", "budget.approve").formParam("value", request)
                    .post("/preview/press").then().statusCode(303)
                    .header("Location", containsString("/preview?to=member%3A" + grace));
        }
        assertEquals("approved", Db.string(ds, "select status from budget_request where id = ?", request));
        assertEquals(1, Db.scalar(ds, "select count(*) from budget_increase where request_id = ?", request),
                "approved once");
        Db.awaitOutboxIdle(ds);
        given().get("/preview?to=member:" + grace).then().statusCode(200)
                .body(containsString("edited: replaces an earlier message"))
                .body(containsString("Already approved by grace.obi@demo.yardstick.dev; nothing was changed."));
        given().get("/preview?to=member:" + daniel).then().statusCode(200).body(containsString("approved"));
        given().redirects().follow(false).contentType(ContentType.URLENC).formParam("as", grace)
                .formParam("action", "budget.deny").formParam("value", request).post("/preview/press").then()
                .statusCode(403);
        given().redirects().follow(false).contentType(ContentType.URLENC).formParam("csrf", csrf())
                .formParam("as", daniel).formParam("action", "budget.deny").formParam("value", request)
                .post("/preview/press").then().statusCode(303);
        assertEquals("approved", Db.string(ds, "select status from budget_request where id = ?", request));
    }

    @Test
    void onlyLoopbackNamesAndThePagesOwnFormsAreServed() {
        given().header("Host", "evil.example").get("/preview").then().statusCode(403)
                .contentType("application/problem+json");
        given().header("Host", "localhost.evil.example:8080").get("/preview").then().statusCode(403);
        given().header("Host", "127.0.0.1.nip.io").get("/preview").then().statusCode(403);
        given().header("Host", "localhost:1234").get("/preview").then().statusCode(200);
        given().header("Host", "[::1]:8080").get("/preview").then().statusCode(200);
        given().redirects().follow(false).contentType(ContentType.URLENC)
                .formParam("member", "sam.okafor@demo.yardstick.dev").formParam("text", "me")
                .post("/preview/ai-spend").then().statusCode(403).contentType("application/problem+json");
        given().redirects().follow(false).contentType(ContentType.URLENC).formParam("csrf", "guessed")
                .formParam("member", "sam.okafor@demo.yardstick.dev").formParam("text", "me")
                .post("/preview/ai-spend").then().statusCode(403);
    }

    @Test
    void aManagerChangesTeamSettingsWithThePreviewsForm() {
        String key = "pv-" + Api.unique();
        String mgr = "pvm-" + Api.unique() + "@example.com";
        admin().body(Map.of("name", "Preview team", "managers", List.of(mgr), "weeklyBudgetUsd", 500))
                .put("/api/v1/teams/" + key).then().statusCode(201);
        admin().body(Map.of("team", key)).put("/api/v1/members/" + mgr).then().statusCode(201);
        long id = Db.scalar(ds, "select id from member where email = ?", mgr);
        given().redirects().follow(false).contentType(ContentType.URLENC).formParam("csrf", csrf())
                .formParam("member", mgr).formParam("text", "settings").post("/preview/ai-spend").then()
                .statusCode(303);
        given().get("/preview?to=member:" + id).then().statusCode(200)
                .body(containsString("action=\"/preview/form\""))
                .body(containsString("name=\"digestTime\" value=\"09:00\""))
                .body(containsString("name=\"_context\" value=\"" + key + "\""));
        java.util.function.Function<String, io.restassured.response.Response> save = time -> given().redirects()
                .follow(false).contentType(ContentType.URLENC).formParam("csrf", csrf())
                .formParam("as", Long.toString(id)).formParam("_form", "team-settings").formParam("_context", key)
                .formParam("weeklyBudgetUsd", "650").formParam("runawayCostUsd", "25")
                .formParam("runawayRequests", "300").formParam("digestDay", "MONDAY").formParam("digestTime", time)
                .formParam("timezone", "UTC").formParam("slackChannelId", "").post("/preview/form");
        save.apply("25:00").then().statusCode(303);
        given().get("/preview?to=member:" + id).then().body(containsString("must be a time of day as HH:mm"));
        admin().get("/api/v1/teams/" + key).then().body("weeklyBudgetUsd", equalTo(500.0f));
        save.apply("08:30").then().statusCode(303);
        admin().get("/api/v1/teams/" + key).then().body("weeklyBudgetUsd", equalTo(650.0f))
                .body("digestTime", equalTo("08:30"));
        admin().get("/api/v1/teams/" + key + "/audit").then().body("[0].by", equalTo("preview:" + mgr));
        given().get("/preview?to=member:" + id).then().body(containsString("Saved team Preview team"));
    }

    @Test
    void aiSpendInThePreviewIsAPrivateReply() {
        String location = given().redirects().follow(false).contentType(ContentType.URLENC)
                .formParam("csrf", csrf()).formParam("member", "sam.okafor@demo.yardstick.dev").formParam("text", "me")
                .post("/preview/ai-spend").then().statusCode(303).extract().header("Location");
        long sam = Db.scalar(ds, "select id from member where email = 'sam.okafor@demo.yardstick.dev'");
        assertTrue(location.endsWith("/preview?to=member%3A" + sam), location);
        given().get("/preview?to=member:" + sam).then().statusCode(200)
                .body(containsString("Private reply, seen only by Sam Okafor"))
                .body(containsString("Your AI use this week"))
                .body(not(containsString("#mobile · Mobile channel</h2>")));
        given().contentType(ContentType.URLENC).formParam("csrf", csrf()).formParam("member", "nobody@example.com")
                .formParam("text", "me")
                .post("/preview/ai-spend").then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void connectInThePreviewShowsTheTokenOnceAndKeepsItNowhere() {
        String email = "sam.okafor@demo.yardstick.dev";
        long sam = Db.scalar(ds, "select id from member where email = ?", email);
        Db.awaitOutboxIdle(ds);
        String replies = "select count(*) from outbox_message where target = ? and operation = 'RESPOND'";
        long kept = Db.scalar(ds, replies, "member:" + sam);
        String page = given().redirects().follow(false).contentType(ContentType.URLENC).formParam("csrf", csrf())
                .formParam("member", email).formParam("text", "connect").post("/preview/ai-spend").then()
                .statusCode(200).contentType(ContentType.HTML).header("Cache-Control", "no-store").extract()
                .asString();
        Matcher m = Pattern.compile("<pre class=\"code\"><code>(ysk_[A-Za-z0-9_-]{43})</code></pre>").matcher(page);
        assertTrue(m.find(), page);
        String token = m.group(1);
        assertTrue(page.contains("Private reply, seen only by Sam Okafor"), page);
        assertTrue(page.contains("export OTEL_EXPORTER_OTLP_HEADERS=&quot;Authorization=Bearer " + token + "&quot;"),
                page);
        assertEquals(kept, Db.scalar(ds, replies, "member:" + sam), "no private reply queued");
        assertEquals(0, Db.scalar(ds, "select count(*) from outbox_message where body like ?", "%" + token + "%"));
        assertFalse(given().get("/preview?to=member:" + sam).asString().contains(token));
        Api.ingest(token).body(Map.of("id", "pv-" + Api.unique(), "time", Instant.now().minusSeconds(30).toString(),
                "user", email, "tool", "claude-code", "model", "claude-sonnet-4-5", "costUsd", 0.1))
                .post("/api/v1/usage-events").then().statusCode(202).body("accepted", equalTo(1));
    }

    @Test
    void aBudgetRequestFromThePreviewReachesTheManager() {
        long grace = Db.scalar(ds, "select id from member where email = 'grace.obi@demo.yardstick.dev'");
        given().redirects().follow(false).contentType(ContentType.URLENC)
                .formParam("csrf", csrf()).formParam("member", "daniel.roth@demo.yardstick.dev")
                .formParam("text", "request 150 load tests")
                .post("/preview/ai-spend").then().statusCode(303);
        given().get("/preview?to=member:" + grace).then().statusCode(200)
                .body(containsString("Budget request from Daniel Roth"))
                .body(containsString(">Approve</button>")).body(containsString(">Deny</button>"));
    }

    @Test
    void channelMessagesInThePreviewNameNobody() throws Exception {
        List<String> identifiers = new ArrayList<>();
        try (Connection c = ds.getConnection();
                ResultSet rs = c.createStatement().executeQuery("select email, display_name from member")) {
            while (rs.next()) {
                identifiers.add(rs.getString(1));
                if (rs.getString(2) != null && rs.getString(2).length() >= 4) {
                    identifiers.add(rs.getString(2));
                }
            }
        }
        List<String> bodies = new ArrayList<>();
        try (Connection c = ds.getConnection();
                ResultSet rs = c.createStatement().executeQuery(
                        "select body from outbox_message where platform = 'preview' and target like 'team:%'")) {
            while (rs.next()) {
                bodies.add(rs.getString(1));
            }
        }
        assertTrue(bodies.size() >= 3, "three digests, each with its chart: " + bodies.size());
        for (String body : bodies) {
            for (String id : identifiers) {
                assertFalse(body.contains(id), "a channel message names " + id);
            }
        }
    }

    @Test
    void aSmallTeamsDigestAndChartGoToItsManagersOnly() {
        String team = "pv-" + Api.unique();
        String boss = "boss-" + Api.unique() + "@example.com";
        admin().body(Map.of("name", "Small " + team, "slackChannelId", "CSMALL", "managers", List.of(boss)))
                .put("/api/v1/teams/" + team).then().statusCode(201);
        admin().body(Map.of("displayName", "Boss", "team", team)).put("/api/v1/members/" + boss).then().statusCode(201);
        String solo = Api.member(team);
        String token = Api.ingestToken();
        Instant lastWeek = Weeks.start(Instant.now(), ZoneId.of("UTC")).minusWeeks(1).atStartOfDay(ZoneId.of("UTC"))
                .toInstant().plusSeconds(7200);
        Api.ingest(token).body(Map.of("id", "pv-" + Api.unique(), "time", lastWeek.toString(), "user", solo, "tool",
                "codex", "model", "gpt-5.4", "costUsd", 42)).post("/api/v1/usage-events").then().statusCode(202);
        admin().post("/api/v1/teams/" + team + "/digest/send").then().statusCode(200).body("status", equalTo("sent"));
        admin().get("/api/v1/teams/" + team + "/digests").then()
                .body("destination", equalTo(List.of("manager")));
        assertEquals(0, Db.scalar(ds, "select count(*) from outbox_message where target = ?", "team:" + team));
        long bossId = Db.scalar(ds, "select id from member where email = ?", boss);
        given().get("/preview?to=member:" + bossId).then().body(containsString("AI use, week of"))
                .body(containsString("<img src=\"/images/"));
    }

    @Test
    void aDigestWithNowhereToGoFailsVisiblyAndIsSentOnceFixed() {
        String team = "nowhere-" + Api.unique();
        admin().body(Map.of("name", "Nowhere")).put("/api/v1/teams/" + team).then().statusCode(201);
        String week = DigestService.isoWeek(Weeks.start(Instant.now(), ZoneId.of("UTC")).minusWeeks(1));
        admin().post("/api/v1/teams/" + team + "/digest/send?week=" + week).then().statusCode(502)
                .contentType("application/problem+json")
                .body("detail", containsString("none of the team's managers can be reached"));
        admin().get("/api/v1/teams/" + team + "/digests").then().body("[0].status", equalTo("failed"))
                .body("[0].platform", equalTo("none")).body("[0].week", equalTo(week));
        assertTrue(given().get("/q/metrics").asString().contains(
                "yardstick_outbox_messages_total{kind=\"digest\",platform=\"none\",result=\"undeliverable\"}"));
        // the admin adds a manager: the next send goes out, once
        String boss = "fix-" + Api.unique() + "@example.com";
        admin().body(Map.of("displayName", "Fixer", "team", team)).put("/api/v1/members/" + boss).then()
                .statusCode(201);
        admin().body(Map.of("name", "Nowhere", "managers", List.of(boss))).put("/api/v1/teams/" + team).then()
                .statusCode(200);
        admin().post("/api/v1/teams/" + team + "/digest/send?week=" + week).then().statusCode(200)
                .body("status", equalTo("sent"));
        admin().post("/api/v1/teams/" + team + "/digest/send?week=" + week).then().statusCode(200)
                .body("status", equalTo("already_sent"));
        admin().get("/api/v1/teams/" + team + "/digests").then().body("platform",
                not(org.hamcrest.Matchers.hasItem("none")));
    }
}
