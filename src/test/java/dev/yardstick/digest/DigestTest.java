package dev.yardstick.digest;

import static dev.yardstick.Api.admin;
import static dev.yardstick.Api.ingest;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.yardstick.chat.slack.FakeSlack;
import dev.yardstick.chat.slack.FakeSlackResource;
import dev.yardstick.Api;
import dev.yardstick.admin.Team;
import io.quarkus.narayana.jta.QuarkusTransaction;
import dev.yardstick.budget.Weeks;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class DigestTest {

    @Inject
    DataSource ds;
    @Inject
    DigestScheduler scheduler;

    FakeSlack slack = FakeSlackResource.fake();
    String token;

    @BeforeEach
    void setUp() {
        dev.yardstick.Db.awaitOutboxIdle(ds);
        slack.reset();
        token = Api.ingestToken();
    }

    private String team(String zone, String channel, List<String> managers) {
        String key = "dg-" + Api.unique();
        Map<String, Object> body = new java.util.HashMap<>(Map.of("name", "Team " + key, "timezone", zone,
                "weeklyBudgetUsd", 1000, "managers", managers));
        if (channel != null) {
            body.put("slackChannelId", channel);
        }
        admin().body(body).put("/api/v1/teams/" + key).then().statusCode(201);
        return key;
    }

    private String member(String team, String slackId) {
        String email = "m-" + Api.unique() + "@example.com";
        admin().body(Map.of("displayName", "Person " + Api.unique(), "team", team, "slackUserId", slackId))
                .put("/api/v1/members/" + email).then().statusCode(201);
        return email;
    }

    private void usage(String user, Instant t, double cost, String model) {
        ingest(token).body(Map.of("id", "u-" + Api.unique(), "time", t.toString(), "user", user, "tool", "claude-code",
                "model", model, "costUsd", cost)).post("/api/v1/usage-events").then().statusCode(202)
                .body("accepted", equalTo(1));
    }

    private void shipped(String user, Instant t, boolean ai) {
        ingest(token).body(Map.of("id", "o-" + Api.unique(), "time", t.toString(), "user", user, "kind", "pr_merged",
                "aiAssisted", ai)).post("/api/v1/outcome-events").then().statusCode(202);
    }

    @Test
    void digestFiguresEqualTheLedgerForTheWeekIncludingItsEdges() {
        ZoneId tokyo = ZoneId.of("Asia/Tokyo");
        String team = team("Asia/Tokyo", "C" + Api.unique().toUpperCase(), List.of());
        String a = member(team, "U" + Api.unique().toUpperCase());
        LocalDate monday = Weeks.start(Instant.now(), tokyo).minusWeeks(1);
        Instant start = monday.atStartOfDay(tokyo).toInstant();
        Instant end = monday.plusDays(7).atStartOfDay(tokyo).toInstant();
        usage(a, start.minusSeconds(1), 1000, "claude-sonnet-4-5"); // the week before
        usage(a, start, 10, "claude-sonnet-4-5");
        usage(a, end.minusSeconds(1), 20, "claude-haiku-4-5");
        usage(a, end, 4000, "claude-sonnet-4-5"); // the week after
        shipped(a, start.plusSeconds(3600), true);
        shipped(a, start.plusSeconds(7200), false);
        String week = DigestService.isoWeek(monday);
        String text = admin().get("/api/v1/teams/" + team + "/digest?week=" + week).then().statusCode(200)
                .body("week", equalTo(week)).extract().path("text");
        assertTrue(text.contains("$30.00 spent, 2 shipped"), text);
        String blocks = admin().get("/api/v1/teams/" + team + "/digest?week=" + week).then().extract()
                .jsonPath().prettify();
        double summaryCost = admin()
                .get("/api/v1/teams/" + team + "/summary?from=" + monday + "&to=" + monday.plusDays(6))
                .then().extract().jsonPath().getDouble("costUsd");
        assertEquals(30.0, summaryCost, 0.0001);
        assertTrue(blocks.contains("$30.00 of $1,000 (3%)"), blocks);
        assertTrue(blocks.contains("50% marked AI-assisted"), blocks);
        assertTrue(blocks.contains("$15.00"), "cost per shipped item: " + blocks);
        assertTrue(blocks.contains("down 97% on the week before"), blocks);
        assertTrue(blocks.contains("run /ai-spend"), blocks);
        admin().get("/api/v1/teams/" + team + "/digest?week=2026-W99").then().statusCode(400);
    }

    @Test
    void digestIsSentToTheChannelOnceAndNamesNobody() throws Exception {
        String channel = "C" + Api.unique().toUpperCase();
        String team = team("UTC", channel, List.of());
        Instant lastWeek = Weeks.start(Instant.now(), ZoneId.of("UTC")).minusWeeks(1).atStartOfDay(ZoneId.of("UTC"))
                .toInstant().plusSeconds(86400);
        for (int i = 0; i < 3; i++) {
            String m = member(team, "U" + Api.unique().toUpperCase());
            usage(m, lastWeek.plusSeconds(i), 10 + i, "claude-opus-4-1");
            shipped(m, lastWeek.plusSeconds(i), i == 0);
        }
        // digestDay MONDAY, digestTime 09:00 (the defaults), UTC
        Team t = QuarkusTransaction.requiringNew().call(() -> Team.<Team>findById(team));
        LocalDate thisMondayDate = Weeks.start(Instant.now(), ZoneId.of("UTC"));
        Instant thisMonday = thisMondayDate.atStartOfDay(ZoneId.of("UTC")).toInstant();
        assertEquals(0, scheduler.runDue(thisMonday.plusSeconds(9 * 3600 - 60), List.of(t)), "not due before 09:00");
        assertTrue(slack.calls("chat.postMessage", c -> channel.equals(c.param("channel"))).isEmpty());
        assertEquals(1, scheduler.runDue(thisMonday.plusSeconds(9 * 3600 + 60), List.of(t)), "due at 09:00");
        await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() -> admin()
                .get("/api/v1/teams/" + team + "/digests").then().body("[0].status", equalTo("sent")));
        admin().post("/api/v1/teams/" + team + "/digest/send").then().statusCode(200)
                .body("status", equalTo("already_sent"));
        assertEquals(0, scheduler.runDue(thisMonday.plusSeconds(10 * 3600), List.of(t)), "never twice");
        List<FakeSlack.Call> posts = slack.calls("chat.postMessage", c -> channel.equals(c.param("channel")));
        assertEquals(1, posts.size());
        assertTrue(posts.get(0).param("blocks").contains("premium"), posts.get(0).param("blocks"));
        // the 8-week chart is an image block of the digest itself: one message, nothing uploaded
        com.fasterxml.jackson.databind.JsonNode image = null;
        for (com.fasterxml.jackson.databind.JsonNode b : new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(posts.get(0).param("blocks"))) {
            if ("image".equals(b.path("type").asText())) {
                image = b;
            }
        }
        assertTrue(image != null, "an image block in the digest: " + posts.get(0).param("blocks"));
        assertTrue(image.path("alt_text").asText().startsWith("Over the last 8 weeks"), image.toString());
        assertTrue(image.path("alt_text").asText().endsWith("The weekly budget is $1,000."), image.toString());
        String url = image.path("image_url").asText();
        assertTrue(url.startsWith("https://yardstick.test.example/images/"), url);
        byte[] png = io.restassured.RestAssured.given().get(url.substring("https://yardstick.test.example".length()))
                .then().statusCode(200).contentType("image/png").extract().asByteArray();
        assertEquals(dev.yardstick.chat.ChartPng.WIDTH,
                javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png)).getWidth());
        assertTrue(slack.calls("files.getUploadURLExternal").isEmpty(), "no separate upload");
        assertEquals(1, slack.calls("chat.postMessage", c -> channel.equals(c.param("channel"))).size());
        assertEquals(1, dev.yardstick.Db.scalar(ds, "select count(*) from outbox_message where dedupe_key like ?",
                "digest:" + team + ":%"), "one message in the outbox");
        admin().get("/api/v1/teams/" + team + "/digests").then().statusCode(200)
                .body("[0].status", equalTo("sent")).body("[0].destination", equalTo("channel"));
        assertNoMemberIdentifiers(slack.calls("chat.postMessage", c -> c.param("channel").startsWith("C")));
    }

    @Test
    void aSmallTeamsDigestGoesToItsManagersByDm() {
        String channel = "C" + Api.unique().toUpperCase();
        String boss = "boss-" + Api.unique() + "@example.com";
        String bossSlack = "U" + Api.unique().toUpperCase();
        String team = team("UTC", channel, List.of(boss));
        admin().body(Map.of("displayName", "Boss", "slackUserId", bossSlack)).put("/api/v1/members/" + boss)
                .then().statusCode(201);
        String solo = member(team, "U" + Api.unique().toUpperCase());
        Instant lastWeek = Weeks.start(Instant.now(), ZoneId.of("UTC")).minusWeeks(1).atStartOfDay(ZoneId.of("UTC"))
                .toInstant().plusSeconds(3600);
        usage(solo, lastWeek, 42, "gpt-5");
        admin().post("/api/v1/teams/" + team + "/digest/send").then().statusCode(200).body("status", equalTo("sent"));
        assertTrue(slack.calls("chat.postMessage", c -> channel.equals(c.param("channel"))).isEmpty(),
                "a one-person team's totals never reach the channel");
        assertEquals(1, slack.calls("chat.postMessage", c -> bossSlack.equals(c.param("channel"))).size());
        admin().get("/api/v1/teams/" + team + "/digests").then().body("[0].destination", equalTo("manager"));
    }

    /** A team of three members with usage last week and a channel; returns its key. */
    private String teamWithLastWeek(String channel) {
        String team = team("UTC", channel, List.of());
        Instant lastWeek = Weeks.start(Instant.now(), ZoneId.of("UTC")).minusWeeks(1).atStartOfDay(ZoneId.of("UTC"))
                .toInstant().plusSeconds(86400);
        for (int i = 0; i < 3; i++) {
            usage(member(team, "U" + Api.unique().toUpperCase()), lastWeek.plusSeconds(i), 10, "claude-sonnet-4-6");
        }
        return team;
    }

    @Test
    void aRateLimitedDigestWaitsForRetryAfterThenGoesOutOnce() {
        String channel = "C" + Api.unique().toUpperCase();
        String team = teamWithLastWeek(channel);
        slack.rateLimitNext(1);
        admin().post("/api/v1/teams/" + team + "/digest/send").then().statusCode(200).body("status", equalTo("queued"));
        await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() -> admin()
                .get("/api/v1/teams/" + team + "/digests").then().body("[0].status", equalTo("sent")));
        List<FakeSlack.Call> limited = slack.calls("chat.postMessage:429", c -> channel.equals(c.param("channel")));
        List<FakeSlack.Call> posted = slack.calls("chat.postMessage", c -> channel.equals(c.param("channel")));
        assertEquals(1, limited.size());
        assertEquals(1, posted.size(), "one digest");
        assertTrue(posted.get(0).at() - limited.get(0).at() >= 950, "waited for Retry-After: 1");
        admin().get("/api/v1/teams/" + team + "/digests").then().body("[0].attempts", equalTo(1))
                .body("[0].lastError", org.hamcrest.Matchers.nullValue());
        admin().post("/api/v1/teams/" + team + "/digest/send").then().statusCode(200)
                .body("status", equalTo("already_sent"));
    }

    @Test
    void aDigestThatSlackFailsIsRetriedWithBackOffAndTheFailureIsVisible() {
        String channel = "C" + Api.unique().toUpperCase();
        String team = teamWithLastWeek(channel);
        slack.failNext(1);
        admin().post("/api/v1/teams/" + team + "/digest/send").then().statusCode(200).body("status", equalTo("queued"));
        admin().get("/api/v1/teams/" + team + "/digests").then().body("[0].status", equalTo("pending"))
                .body("[0].lastError", equalTo("HTTP 503"));
        await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() -> admin()
                .get("/api/v1/teams/" + team + "/digests").then().body("[0].status", equalTo("sent")));
        List<FakeSlack.Call> failed = slack.calls("chat.postMessage:503", c -> channel.equals(c.param("channel")));
        List<FakeSlack.Call> posted = slack.calls("chat.postMessage", c -> channel.equals(c.param("channel")));
        assertEquals(1, failed.size());
        assertEquals(1, posted.size());
        assertTrue(posted.get(0).at() - failed.get(0).at() >= 1_900, "backed off 2 s after the first failure");
        admin().get("/api/v1/teams/" + team + "/digests").then().body("[0].attempts", equalTo(2));
        String metrics = io.restassured.RestAssured.given().get("/q/metrics").asString();
        assertTrue(
                metrics.contains(
                        "yardstick_outbox_messages_total{kind=\"digest\",platform=\"slack\",result=\"retried\"}"),
                "retries counted in /q/metrics");
    }

    @Test
    void previewIsOffWhileSlackIsConfigured() {
        io.restassured.RestAssured.given().get("/preview").then().statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void nudgesFireAndStayQuietAsDocumented() {
        LocalDate m = LocalDate.of(2026, 11, 9);
        List<DigestFigures.Week> flat = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            flat.add(new DigestFigures.Week(m.minusWeeks(7 - i), new BigDecimal("100"), 10));
        }
        DigestFigures quiet = figures(new BigDecimal("100"), new BigDecimal("100"), 10, 10, new BigDecimal("0.5"),
                new BigDecimal("500"), flat);
        assertEquals(List.of(), Nudges.choose(quiet));

        DigestFigures spendUp = figures(new BigDecimal("140"), new BigDecimal("100"), 10, 10, new BigDecimal("0.5"),
                new BigDecimal("500"), flat);
        assertTrue(Nudges.choose(spendUp).get(0).startsWith("Spend rose 40%"));

        DigestFigures premium = figures(new BigDecimal("100"), new BigDecimal("100"), 10, 10, new BigDecimal("0.9"),
                new BigDecimal("500"), flat);
        assertTrue(Nudges.choose(premium).get(0).startsWith("90% of spend went to premium models"));

        DigestFigures lowUse = figures(new BigDecimal("20"), new BigDecimal("20"), 10, 10, new BigDecimal("0.5"),
                new BigDecimal("500"), flat);
        String barrier = Nudges.choose(lowUse).get(0);
        assertTrue(barrier.contains("4% of its budget") && !barrier.toLowerCase().contains("use more"), barrier);

        List<DigestFigures.Week> rising = new ArrayList<>(flat.subList(0, 4));
        for (int i = 0; i < 4; i++) {
            rising.add(new DigestFigures.Week(m.minusWeeks(3 - i), new BigDecimal(100 + 20 * i), 10));
        }
        DigestFigures risingCost = figures(new BigDecimal("160"), new BigDecimal("140"), 10, 10,
                new BigDecimal("0.95"), new BigDecimal("1000"), rising);
        List<String> two = Nudges.choose(risingCost);
        assertEquals(2, two.size(), "at most two nudges");
        assertTrue(two.get(0).startsWith("Cost per shipped item has risen three weeks running"));

        List<DigestFigures.Week> falling = new ArrayList<>(flat.subList(0, 7));
        falling.add(new DigestFigures.Week(m, new BigDecimal("80"), 10));
        assertTrue(Nudges.choose(figures(new BigDecimal("80"), new BigDecimal("100"), 10, 10, new BigDecimal("0.5"),
                new BigDecimal("500"), falling)).get(0).startsWith("Cost per shipped item fell from $10.00 to $8.00"));
    }

    private static DigestFigures figures(BigDecimal spend, BigDecimal previous, long shipped, long previousShipped,
            BigDecimal premiumShare, BigDecimal budget, List<DigestFigures.Week> trend) {
        return new DigestFigures("t", "T", "2026-W46", LocalDate.of(2026, 11, 9), spend, previous, budget,
                Map.of("pr_merged", shipped, "ticket_resolved", 0L, "deployment", 0L, "incident_resolved", 0L,
                        "other", 0L),
                shipped, previousShipped, 0, premiumShare, trend, 5, 0, BigDecimal.ZERO);
    }

    /** Scans channel messages for every member identifier in the database. */
    private void assertNoMemberIdentifiers(List<FakeSlack.Call> channelPosts) throws Exception {
        List<String> identifiers = new ArrayList<>();
        try (Connection c = ds.getConnection();
                ResultSet rs = c.createStatement().executeQuery(
                        "select email, display_name, slack_user_id, github_login from member")) {
            while (rs.next()) {
                for (int i = 1; i <= 4; i++) {
                    String v = rs.getString(i);
                    if (v != null && v.length() >= 4) {
                        identifiers.add(v);
                    }
                }
            }
        }
        assertFalse(channelPosts.isEmpty());
        for (FakeSlack.Call post : channelPosts) {
            String all = post.param("text") + " " + post.param("blocks");
            assertFalse(all.contains("<@"), "no mentions in a channel");
            for (String id : identifiers) {
                assertFalse(all.contains(id), "channel message names a person: " + id);
            }
        }
    }
}
