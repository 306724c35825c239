package dev.yardstick.pull;

import static dev.yardstick.Api.admin;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.yardstick.Api;
import dev.yardstick.Db;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(value = FakeVendorsResource.class, scope = TestResourceScope.GLOBAL)
class PullersTest {

    @Inject
    DataSource ds;
    @Inject
    ClaudeCodePuller claudeCode;
    @Inject
    OpenAiPuller openAi;
    @Inject
    CursorPuller cursor;
    @Inject
    CopilotPuller copilot;
    @Inject
    dev.yardstick.watch.Watcher watcher;

    /** The live per-minute figures runaway detection holds of these members' sessions with this tool. */
    private long liveMinutes(String tool, String... emails) {
        long n = 0;
        for (String email : emails) {
            long id = Db.scalar(ds, "select id from member where email = ?", email);
            n += watcher.liveMinutes(id).stream().filter(m -> m.tool().equals(tool)).count();
        }
        return n;
    }

    FakeVendors fake = FakeVendorsResource.fake();
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    String team;

    @BeforeEach
    void fresh() {
        fake.reset();
        Db.update(ds, "delete from connector_state");
        team = Api.team("pull", "UTC");
    }

    JsonPath summary(LocalDate from, LocalDate to) {
        return admin().get("/api/v1/teams/" + team + "/summary?from=" + from + "&to=" + to).then().statusCode(200)
                .extract().jsonPath();
    }

    Map<String, Object> connector(String name) {
        List<Map<String, Object>> all = admin().get("/api/v1/connectors").then().statusCode(200).extract().jsonPath()
                .getList("$");
        return all.stream().filter(c -> name.equals(c.get("name"))).findFirst().orElseThrow();
    }

    long activity(String email, String kind) {
        return Db.scalar(ds,
                "select coalesce(sum(count), 0) from ai_activity_daily a join member m on m.id = a.member_id"
                        + " where m.email = ? and a.kind = ? and a.tool = 'claude-code'",
                email, kind);
    }

    @Test
    void claudeCodeDaysArePagedCentsBecomeDollarsAndRePullsCountOnce() {
        LocalDate day = today.minusDays(1);
        long cents = 0;
        long input = 0;
        String first = null;
        for (int i = 0; i < 5; i++) { // 5 records: 3 pages of 2
            String email = Api.member(team);
            first = first == null ? email : first;
            ObjectNode r = fake.claudeCodeUser(day.toString(), email, 2, 1);
            FakeVendors.model(r, "claude-sonnet-4-5", 1000 + i, 200, 5000, 300, 1234); // $12.34
            FakeVendors.model(r, "claude-haiku-4-5", 10, 20, 0, 0, 5); // $0.05
            cents += 1234 + 5;
            input += 1000 + i + 10;
        }
        claudeCode.run();

        assertEquals(3, fake.calls().stream().filter(c -> c.query().get("starting_at").equals(day.toString())).count(),
                "three pages of the day");
        assertEquals("page_2", fake.calls().get(fake.calls().size() - 2).query().get("page"));
        JsonPath s = summary(day, day);
        assertEquals(cents / 100.0, s.getDouble("costUsd"), 1e-9);
        assertEquals(input, s.getLong("tokens.input"));
        assertEquals(5 * 5000, s.getLong("tokens.cacheRead"));
        assertEquals(5 * 300, s.getLong("tokens.cacheWrite"));
        assertEquals(5, s.getInt("activeMembers"));
        assertEquals(2, activity(first, "commit"));
        assertEquals(1, activity(first, "pull_request"));
        Db.awaitOutboxIdle(ds);
        long members = Db.scalar(ds, "select count(*) from member where team_key = ?", team);
        for (long i = 0; i < members; i++) {
            long id = Db.scalar(ds, "select id from member where team_key = ? order by id offset ? limit 1", team, i);
            assertTrue(watcher.liveMinutes(id).isEmpty(), "daily totals booked at noon never count for runaway alerts");
        }
        Map<String, Object> state = connector(ClaudeCodePuller.NAME);
        assertEquals(true, state.get("enabled"));
        assertEquals(day.toString(), state.get("cursor"));
        assertNull(state.get("lastError"));
        assertNotNull(state.get("lastSuccessAt"));
        assertNotNull(state.get("lastRunAt"));

        // the same days pulled again (a lost cursor): nothing counts twice, activity is replaced
        Db.update(ds, "delete from connector_state");
        claudeCode.run();
        assertEquals(cents / 100.0, summary(day, day).getDouble("costUsd"), 1e-9);
        assertEquals(input, summary(day, day).getLong("tokens.input"));
        assertEquals(2, activity(first, "commit"));
        // and the current day is not pulled until it is complete
        assertTrue(fake.calls().stream().noneMatch(c -> today.toString().equals(c.query().get("starting_at"))));
    }

    @Test
    void a429IsRetriedAfterItsRetryAfter() {
        LocalDate day = today.minusDays(1);
        String email = Api.member(team);
        FakeVendors.model(fake.claudeCodeUser(day.toString(), email, 0, 0), "claude-sonnet-4-5", 100, 10, 0, 0, 250);
        fake.rateLimitNext(1);
        claudeCode.run();

        List<FakeVendors.Call> calls = fake.calls();
        assertEquals(429, calls.get(0).status());
        assertEquals(200, calls.get(1).status());
        assertTrue(calls.get(1).at() - calls.get(0).at() >= 950, "waited for Retry-After: 1");
        assertEquals(2.50, summary(day, day).getDouble("costUsd"), 1e-9);
        assertNull(connector(ClaudeCodePuller.NAME).get("lastError"));
    }

    @Test
    void aRunThatFailsMidRangeResumesWithoutGapOrDuplicate() {
        LocalDate d3 = today.minusDays(3), d2 = today.minusDays(2), d1 = today.minusDays(1);
        long cents = 0;
        for (LocalDate d : List.of(d3, d2, d1)) {
            for (int i = 0; i < 3; i++) { // two pages a day
                ObjectNode r = fake.claudeCodeUser(d.toString(), Api.member(team), 1, 0);
                FakeVendors.model(r, "claude-opus-4-1", 50, 5, 0, 0, 101 + i);
                cents += 101 + i;
            }
        }
        fake.failPage(d2.toString(), 2);
        claudeCode.run();

        Map<String, Object> state = connector(ClaudeCodePuller.NAME);
        assertEquals(d3.toString(), state.get("cursor"), "the last day stored completely");
        assertTrue(((String) state.get("lastError")).contains("500"), state.toString());
        assertNull(state.get("lastSuccessAt"));
        assertEquals((101 + 102 + 103) / 100.0, summary(d3, d1).getDouble("costUsd"), 1e-5);
        admin().get("/api/v1/connectors").then().body("name", hasItem(ClaudeCodePuller.NAME));

        fake.heal();
        claudeCode.run();
        state = connector(ClaudeCodePuller.NAME);
        assertEquals(d1.toString(), state.get("cursor"));
        assertNull(state.get("lastError"));
        assertTrue(fake.calls().stream().filter(c -> d3.toString().equals(c.query().get("starting_at")))
                .count() == 2, "the stored day is not asked for again");
        JsonPath s = summary(d3, d1);
        assertEquals(cents / 100.0, s.getDouble("costUsd"), 1e-9);
        assertEquals(9 * 50, s.getLong("tokens.input"));
        assertEquals(9,
                Db.scalar(ds, "select count(*) from usage_event_named where team_key = ? and origin = 'p'", team));
    }

    @Test
    void pushedUsageOfAUserDayWinsOverThePulledFigure() {
        LocalDate day = today.minusDays(1);
        String pusher = Api.member(team);
        String puller = Api.member(team);
        String token = Api.ingestToken();
        Api.ndjson(token, "/api/v1/usage-events", "{\"id\":\"push-" + Api.unique() + "\",\"time\":\"" + day
                + "T09:30:00Z\",\"user\":\"" + pusher + "\",\"tool\":\"claude-code\",\"model\":\"claude-sonnet-4-5\","
                + "\"inputTokens\":10,\"outputTokens\":1,\"costUsd\":0.40}\n").then().statusCode(202);
        FakeVendors.model(fake.claudeCodeUser(day.toString(), pusher, 3, 1), "claude-sonnet-4-5", 999, 99, 0, 0, 700);
        FakeVendors.model(fake.claudeCodeUser(day.toString(), puller, 4, 2), "claude-sonnet-4-5", 100, 10, 0, 0, 300);
        claudeCode.run();

        JsonPath s = summary(day, day);
        assertEquals(0.40 + 3.00, s.getDouble("costUsd"), 1e-9, "the pushed figure, plus the other user's pulled one");
        assertEquals(10 + 100, s.getLong("tokens.input"));
        assertEquals(0, activity(pusher, "commit"));
        assertEquals(4, activity(puller, "commit"));
        // pulling the day again changes nothing
        Db.update(ds, "delete from connector_state");
        claudeCode.run();
        assertEquals(3.40, summary(day, day).getDouble("costUsd"), 1e-9);
    }

    @Test
    void openAiUsageIsPagedCachedInputSplitAndCostsInDollarsSharedExactly() {
        LocalDate day = today.minusDays(1);
        long start = day.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
        String ana = Api.member(team);
        String bo = Api.member(team);
        fake.openAiUser("user_ana" + Api.unique(), "someone-else@example.com");
        String anaId = "user_a" + Api.unique();
        String boId = "user_b" + Api.unique();
        fake.openAiUser(anaId, ana.toUpperCase(java.util.Locale.ROOT));
        fake.openAiUser(boId, bo);
        // input_tokens include the cached ones; a model missing from the pricing table: shared by tokens
        fake.openAiUsage(start, anaId, "gpt-unpriced-test", 300, 100, 100, 4);
        fake.openAiUsage(start, boId, "gpt-unpriced-test", 500, 0, 100, 6);
        fake.openAiCost(start, 1.25);
        fake.openAiCost(start, 0.75);
        openAi.run();

        assertNull(connector(OpenAiPuller.NAME).get("lastError"), connector(OpenAiPuller.NAME).toString());
        assertEquals(day.toString(), connector(OpenAiPuller.NAME).get("cursor"));
        assertTrue(fake.calls().stream().anyMatch(c -> "page_2".equals(c.query().get("page"))), "usage was paged");
        assertTrue(fake.calls().stream().anyMatch(c -> c.query().containsKey("after")), "users were paged");
        JsonPath s = summary(day, day);
        assertEquals(2.00, s.getDouble("costUsd"), 1e-9, "dollars, not cents");
        assertEquals(200 + 500, s.getLong("tokens.input"));
        assertEquals(100, s.getLong("tokens.cacheRead"));
        assertEquals(10, s.getLong("requests"));
        assertEquals(0.80, Db.scalar(ds, "select round(sum(e.cost_usd) * 100) from usage_event_named e join member m"
                + " on m.id = e.member_id where m.email = ? and e.tool = 'openai-api'", ana) / 100.0, 1e-9);
        openAi.run(); // nothing new; and a re-pull of the day would dedupe
        Db.update(ds, "delete from connector_state where name = ?", OpenAiPuller.NAME);
        openAi.run();
        assertEquals(2.00, summary(day, day).getDouble("costUsd"), 1e-9);
    }

    /** {@code YARDSTICK_CONNECTORS_API_KEY_TEAMS} of the test run: an OpenAI API key id and a project id. */
    static final String KEY_TEAMS = "key_ci_openai=openai-ci, proj_data_openai=openai-data";

    /** The teams and input tokens of a member's pulled OpenAI usage on a day, as {@code team=tokens}. */
    private List<String> openAiTeams(String email, LocalDate day) {
        List<String> out = new java.util.ArrayList<>();
        try (var c = ds.getConnection(); var ps = c.prepareStatement("""
                select e.team_key, sum(e.input_tokens) from usage_event_named e join member m on m.id = e.member_id
                where m.email = ? and e.tool = 'openai-api' and e.time >= ? and e.time < ?
                group by 1 order by 1
                """)) {
            ps.setString(1, email);
            ps.setObject(2, day.atStartOfDay(ZoneOffset.UTC).toOffsetDateTime());
            ps.setObject(3, day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toOffsetDateTime());
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1) + "=" + rs.getLong(2));
                }
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    @Test
    void openAiUsageOfAnApiKeyReachesTheTeamMappedToTheKeyOrItsProjectAndUsersKeepTheirs() {
        for (String key : List.of("openai-ci", "openai-data")) {
            admin().body(Map.of("name", "Team " + key, "timezone", "UTC")).put("/api/v1/teams/" + key).then()
                    .statusCode(org.hamcrest.Matchers.oneOf(200, 201));
        }
        LocalDate day = today.minusDays(1);
        long start = day.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
        String ana = Api.member(team);
        String anaId = "user_k" + Api.unique();
        fake.openAiUser(anaId, ana);
        // a service account's key mapped to openai-ci, used in two projects
        fake.openAiUsage(start, "proj_x", null, "key_ci_openai", "gpt-unpriced-test", 1000, 0, 100, 5);
        fake.openAiUsage(start, "proj_y", null, "key_ci_openai", "gpt-unpriced-test", 500, 0, 50, 2);
        // an unmapped key in the project mapped to openai-data
        fake.openAiUsage(start, "proj_data_openai", null, "key_other_openai", "gpt-unpriced-test", 300, 0, 0, 1);
        // Ana with a key of her own that is also mapped: a person's usage stays the person's
        fake.openAiUsage(start, "proj_x", anaId, "key_ci_openai", "gpt-unpriced-test", 200, 0, 0, 1);
        // neither key nor project mapped
        fake.openAiUsage(start, "proj_stray_openai", null, "key_stray_openai", "gpt-unpriced-test", 70, 0, 0, 1);
        fake.openAiCost(start, 2.00);
        openAi.run();

        assertNull(connector(OpenAiPuller.NAME).get("lastError"), connector(OpenAiPuller.NAME).toString());
        assertEquals(List.of("openai-ci=1500"), openAiTeams(Connectors.keyMember("key_ci_openai"), day),
                "both projects' usage of the mapped key");
        assertEquals(List.of("openai-data=300"), openAiTeams(Connectors.keyMember("key_other_openai"), day),
                "an unmapped key in a mapped project");
        assertEquals(List.of(team + "=200"), openAiTeams(ana, day));
        assertEquals(List.of("unassigned=70"), openAiTeams(Connectors.keyMember("key_stray_openai"), day));
        assertEquals(2.00, Db.scalar(ds, "select round(sum(e.cost_usd) * 100) from usage_event_named e join member m"
                + " on m.id = e.member_id where e.tool = 'openai-api' and m.email in (?, ?, ?, ?)", ana,
                Connectors.keyMember("key_ci_openai"), Connectors.keyMember("key_other_openai"),
                Connectors.keyMember("key_stray_openai")) / 100.0, 1e-9, "the day's dollars, shared over every row");
    }

    long ms(LocalDate day, int hour, int minute) {
        return day.atTime(hour, minute).toInstant(ZoneOffset.UTC).toEpochMilli();
    }

    List<FakeVendors.Call> cursorCalls() {
        return fake.calls().stream().filter(c -> c.path().startsWith("/cursor/")).toList();
    }

    @Test
    void cursorEventsArePagedBookedAtTheirTimeCentsBecomeDollarsAndRePullsCountOnce() {
        LocalDate day = today.minusDays(1);
        long dayStart = ms(day, 0, 0);
        long lastMinute = ms(today, 0, 0) - 30_000; // yesterday 23:59:30
        String ana = Api.member(team);
        String bo = Api.member(team);
        fake.cursorEvent(dayStart, ana.toUpperCase(java.util.Locale.ROOT), "claude-4.5-sonnet", 126, 450, 11964, 6112,
                20.18232, 1.18);
        fake.cursorEvent(ms(day, 9, 15), ana, "gpt-5", 1000, 200, 0, 0, 5.5, null); // no token fee
        fake.cursorEvent(ms(day, 9, 15), ana, "gpt-5", 1000, 200, 0, 0, 5.5, null); // the same again: two calls
        fake.cursorEvent(ms(day, 13, 0), bo, "claude-4.5-sonnet", 10, 20, 30, 40, 100, 2.0);
        fake.cursorEvent(lastMinute, bo, "claude-4.5-sonnet", 1, 2, 0, 0, 50, 0.5);
        fake.cursorEvent(dayStart - 1, bo, "claude-4.5-sonnet", 1, 1, 0, 0, 999, 0.0); // the day before
        long before = System.currentTimeMillis();
        cursor.run();

        Map<String, Object> state = connector(CursorPuller.NAME);
        assertNull(state.get("lastError"), state.toString());
        assertEquals(day.toString(), state.get("cursor"));
        List<FakeVendors.Call> calls = cursorCalls().stream()
                .filter(c -> Long.toString(dayStart).equals(c.query().get("startDate"))).toList();
        assertEquals(3, calls.size(), "five events of the day: three pages of two");
        assertEquals(List.of("1", "2", "3"), calls.stream().map(c -> c.query().get("page")).toList());
        assertEquals("100", calls.get(0).query().get("pageSize"));
        assertEquals(Long.toString(ms(today, 0, 0) - 1), calls.get(0).query().get("endDate"));
        List<FakeVendors.Call> all = cursorCalls();
        // paced when sent; timed here on arrival, so each gap may lose a scheduling delay, but never most of it,
        // and the whole run is at least the intervals long (unpaced, requests come a few milliseconds apart)
        assertTrue(all.get(all.size() - 1).at() - all.get(0).at() >= 150L * (all.size() - 1) - 50,
                "requests spaced by the request interval");
        for (int i = 1; i < all.size(); i++) {
            assertTrue(all.get(i).at() - all.get(i - 1).at() >= 75, "requests spaced by the request interval");
        }

        double cents = 20.18232 + 1.18 + 5.5 + 5.5 + 100 + 2.0 + 50 + 0.5;
        JsonPath s = summary(day, day);
        assertEquals(cents / 100, s.getDouble("costUsd"), 1e-6);
        assertEquals(126 + 1000 + 1000 + 10 + 1, s.getLong("tokens.input"));
        assertEquals(11964 + 30, s.getLong("tokens.cacheRead"));
        assertEquals(6112 + 40, s.getLong("tokens.cacheWrite"));
        assertEquals(5, s.getLong("requests"));
        assertEquals(9.99, summary(day.minusDays(1), day.minusDays(1)).getDouble("costUsd"), 1e-6,
                "an event of the day before counts on its own day, once");
        assertEquals(6,
                Db.scalar(ds,
                        "select count(*) from usage_event_named where team_key = ? and origin = 'p' and tool = 'cursor'",
                        team));
        assertEquals(1, Db.scalar(ds, "select count(*) from usage_event_named e join member m on m.id = e.member_id"
                + " where m.email = ? and e.tool = 'cursor' and e.time = ?", bo,
                java.sql.Timestamp.from(java.time.Instant.ofEpochMilli(ms(day, 13, 0)))), "booked at its own time");
        // per-call times count for runaway alerts when they are less than 24 h old, which for yesterday's
        // 09:15, 13:00 and 23:59:30 depends on the time of day the test runs; yesterday 00:00 never is
        Db.awaitOutboxIdle(ds);
        long after = System.currentTimeMillis();
        long day24h = 24 * 3_600_000L;
        long surely = 0, maybe = 0;
        for (long minute : new long[]{ms(day, 9, 15), ms(day, 13, 0), lastMinute}) {
            if (minute >= after - day24h) {
                surely++;
            } else if (minute >= before - day24h) {
                maybe++;
            }
        }
        long live = liveMinutes("cursor", ana, bo);
        assertTrue(live >= surely && live <= surely + maybe,
                "live minutes " + live + ", expected " + surely + (maybe > 0 ? " to " + (surely + maybe) : ""));

        Db.update(ds, "delete from connector_state where name = ?", CursorPuller.NAME);
        cursor.run();
        assertEquals(cents / 100, summary(day, day).getDouble("costUsd"), 1e-6);
        assertEquals(6,
                Db.scalar(ds,
                        "select count(*) from usage_event_named where team_key = ? and origin = 'p' and tool = 'cursor'",
                        team));
    }

    @Test
    void cursorRetriesA429AfterItsRetryAfterAndPushedUsageOfTheDayWins() {
        LocalDate day = today.minusDays(1);
        String pusher = Api.member(team);
        String puller = Api.member(team);
        String token = Api.ingestToken();
        Api.ndjson(token, "/api/v1/usage-events", "{\"id\":\"push-" + Api.unique() + "\",\"time\":\"" + day
                + "T09:30:00Z\",\"user\":\"" + pusher + "\",\"tool\":\"cursor\",\"model\":\"gpt-5\","
                + "\"inputTokens\":10,\"outputTokens\":1,\"costUsd\":0.40}\n").then().statusCode(202);
        fake.cursorEvent(ms(day, 10, 0), pusher, "gpt-5", 999, 99, 0, 0, 480, 20.0);
        fake.cursorEvent(ms(day, 11, 0), puller, "gpt-5", 100, 10, 0, 0, 290, 10.0);
        fake.rateLimitNext(1);
        cursor.run();

        List<FakeVendors.Call> calls = cursorCalls();
        assertEquals(429, calls.get(0).status());
        assertEquals(200, calls.get(1).status());
        assertTrue(calls.get(1).at() - calls.get(0).at() >= 950, "waited for Retry-After: 1");
        assertNull(connector(CursorPuller.NAME).get("lastError"));
        JsonPath s = summary(day, day);
        assertEquals(0.40 + 3.00, s.getDouble("costUsd"), 1e-9, "the pushed figure, plus the other user's pulled one");
        assertEquals(10 + 100, s.getLong("tokens.input"));
        Db.update(ds, "delete from connector_state");
        cursor.run();
        assertEquals(3.40, summary(day, day).getDouble("costUsd"), 1e-9);
    }

    @Test
    void copilotSeatsArePricedPerActiveUserDayAndMatchedByGithubLogin() {
        LocalDate d3 = today.minusDays(3), d2 = today.minusDays(2), d1 = today.minusDays(1);
        String ana = Api.member(team);
        String bo = Api.member(team);
        String anaLogin = "Ana-" + Api.unique();
        String boLogin = "bo-" + Api.unique();
        String ghost = "ghost-" + Api.unique();
        for (String[] m : new String[][]{{ana, anaLogin}, {bo, boLogin}}) {
            admin().body(Map.of("displayName", "Dev", "team", team, "githubLogin", m[1])).put("/api/v1/members/" + m[0])
                    .then().statusCode(200);
        }
        fake.copilotUser(d2.toString(), anaLogin.toLowerCase(java.util.Locale.ROOT), 7, 3800, 5000);
        fake.copilotUser(d2.toString(), boLogin, 2, 0, 0);
        fake.copilotUser(d2.toString(), ghost, 1, 0, 0);
        fake.copilotUser(d2.toString(), "idle-" + Api.unique(), 0, 0, 0); // a seat without use that day
        fake.copilotUser(d2.toString(), anaLogin, 1, 200, 100); // ana again, in the next file
        copilot.run();

        // d3 has no report (204) and is old enough to count as empty; d1's report is not there yet
        Map<String, Object> state = connector(CopilotPuller.NAME);
        assertNull(state.get("lastError"), state.toString());
        assertEquals(d2.toString(), state.get("cursor"), "waits for d1's report");
        List<FakeVendors.Call> files = fake.calls().stream().filter(c -> c.path().startsWith("/github-files/"))
                .toList();
        assertEquals(3, files.size(), "every download link read");
        assertTrue(files.stream().allMatch(c -> !c.headers().containsKey("authorization") && c.status() == 200),
                "the token stays on the API host");
        BigDecimal seatDay2 = new BigDecimal("19").divide(BigDecimal.valueOf(d2.lengthOfMonth()), 8,
                RoundingMode.HALF_UP);
        JsonPath s = summary(d2, d2);
        assertEquals(seatDay2.doubleValue() * 2, s.getDouble("costUsd"), 1e-5, "ana and bo, one seat-day each");
        assertEquals(2, s.getInt("activeMembers"));
        assertEquals(4000, s.getLong("tokens.input"));
        assertEquals(5100, s.getLong("tokens.output"));
        assertEquals(7 + 1 + 2, s.getLong("requests"));
        assertEquals(seatDay2.doubleValue(),
                Db.scalar(ds, "select round(sum(e.cost_usd) * 100000000) from usage_event_named e"
                        + " join member m on m.id = e.member_id where m.email = ? and e.tool = 'copilot'",
                        CopilotPuller.loginMember(ghost)) / 1e8,
                1e-9, "an unknown login: a placeholder member");

        fake.copilotUser(d1.toString(), anaLogin, 3, 0, 0);
        copilot.run();
        assertEquals(d1.toString(), connector(CopilotPuller.NAME).get("cursor"));
        BigDecimal seatDay1 = new BigDecimal("19").divide(BigDecimal.valueOf(d1.lengthOfMonth()), 8,
                RoundingMode.HALF_UP);
        assertEquals(seatDay1.doubleValue(), summary(d1, d1).getDouble("costUsd"), 1e-5);
        assertEquals(0, summary(d3, d3).getDouble("costUsd"), 1e-9);

        Db.update(ds, "delete from connector_state where name = ?", CopilotPuller.NAME);
        copilot.run();
        assertEquals(seatDay2.doubleValue() * 2 + seatDay1.doubleValue(), summary(d3, d1).getDouble("costUsd"), 1e-5);
        assertEquals(3,
                Db.scalar(ds, "select count(*) from usage_event_named where team_key = ? and tool = 'copilot'", team));
    }
}
