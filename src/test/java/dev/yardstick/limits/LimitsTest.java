package dev.yardstick.limits;

import static dev.yardstick.Api.admin;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.yardstick.Api;
import dev.yardstick.Db;
import dev.yardstick.budget.BudgetService;
import dev.yardstick.budget.Weeks;
import dev.yardstick.chat.slack.FakeSlackResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** A team's budget kept in step with its caps at LiteLLM, Anthropic, OpenAI and GitHub (fakes on loopback). */
@QuarkusTest
@WithTestResource(value = FakeSlackResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = FakeCapsResource.class, scope = TestResourceScope.GLOBAL)
class LimitsTest {

    @Inject
    LimitWriter writer;
    @Inject
    LimitSync sync;
    @Inject
    BudgetService budgets;
    @Inject
    DataSource ds;
    @Inject
    dev.yardstick.admin.TeamSettings settings;

    private final FakeCaps fake = FakeCapsResource.fake();

    private static Map<String, Object> team(String key, int budget, List<String> managers, List<Object> limits) {
        return Map.of("name", "Team " + key, "weeklyBudgetUsd", budget, "managers", managers, "limits", limits);
    }

    private static Map<String, Object> link(String source, Object target) {
        return Map.of("source", source, "target", target);
    }

    private static JsonPath limits(String team) {
        return admin().get("/api/v1/teams/" + team + "/limits").then().statusCode(200).extract().jsonPath();
    }

    private long member(String team, String email) {
        admin().body(Map.of("displayName", "Person " + email, "team", team, "slackUserId",
                "U" + Api.unique().toUpperCase())).put("/api/v1/members/" + email).then().statusCode(201);
        return Db.scalar(ds, "select id from member where email = ?", email);
    }

    @Test
    void theFirstLiteLlmWriteSetsTheDurationAndLaterOnesLeaveIt() {
        String team = "lim-" + Api.unique();
        String litellm = "team-" + Api.unique();
        admin().body(team(team, 100, List.of(), List.of(link("litellm", litellm)))).put("/api/v1/teams/" + team)
                .then().statusCode(201).body("limits[0].source", equalTo("litellm"))
                .body("limits[0].target", equalTo(litellm));
        assertEquals("pending", limits(team).getString("[0].status"));
        writer.drain();
        List<FakeCaps.Call> writes = fake.writes("litellm", litellm);
        assertEquals(1, writes.size());
        assertEquals(0, new BigDecimal("100").compareTo(writes.get(0).body().path("max_budget").decimalValue()));
        assertEquals("7d", writes.get(0).body().path("budget_duration").asText());

        admin().body(team(team, 150, List.of(), List.of(link("litellm", litellm)))).put("/api/v1/teams/" + team)
                .then().statusCode(200);
        writer.drain();
        writes = fake.writes("litellm", litellm);
        assertEquals(2, writes.size());
        assertEquals(0, new BigDecimal("150").compareTo(writes.get(1).body().path("max_budget").decimalValue()));
        assertFalse(writes.get(1).body().has("budget_duration"), writes.get(1).body().toString());
        JsonPath view = limits(team);
        assertEquals("in_step", view.getString("[0].status"));
        assertEquals(150f, view.getFloat("[0].wantedUsd"));
        assertEquals(150f, view.getFloat("[0].reportedUsd"));
        assertEquals("weekly", view.getString("[0].period"));
        assertNotNull(view.getString("[0].appliedAt"));
        assertNull(view.getString("[0].revertsAt"));
        assertNull(view.getString("[0].lastError"));
        // the same budget again: nothing to write
        admin().body(team(team, 150, List.of(), List.of(link("litellm", litellm)))).put("/api/v1/teams/" + team)
                .then().statusCode(200);
        writer.drain();
        assertEquals(2, fake.writes("litellm", litellm).size());

        // a manager's change of the budget in chat is written through too
        String boss = "boss-" + Api.unique() + "@example.com";
        admin().body(team(team, 150, List.of(boss), List.of(link("litellm", litellm)))).put("/api/v1/teams/" + team)
                .then().statusCode(200);
        assertTrue(settings.change(team, Map.of("weeklyBudgetUsd", "175"), boss, "slack").changes().stream()
                .anyMatch(c -> c.field().equals("weeklyBudgetUsd")));
        writer.drain();
        writes = fake.writes("litellm", litellm);
        assertEquals(3, writes.size());
        assertEquals(0, new BigDecimal("175").compareTo(writes.get(2).body().path("max_budget").decimalValue()));
    }

    @Test
    void anApprovalWritesEachCapOnceEvenWithTwoReplicasApprovingAndWriting() throws Exception {
        String team = "lim-" + Api.unique();
        String manager = "boss-" + Api.unique() + "@example.com";
        String litellm = "team-" + Api.unique();
        String workspace = "wrkspc_" + Api.unique();
        String project = "proj_" + Api.unique();
        String budget = "budget-" + Api.unique();
        admin().body(team(team, 100, List.of(manager), List.of(link("litellm", litellm),
                link("anthropic", Map.of("type", "workspace", "id", workspace)), link("openai", project),
                link("github-copilot", budget)))).put("/api/v1/teams/" + team).then().statusCode(201)
                .body("limits[1].target.type", equalTo("workspace")).body("limits[1].target.id", equalTo(workspace));
        long bossId = member(team, manager);
        long devId = member(team, "dev-" + Api.unique() + "@example.com");
        writer.drain();
        // 100 a week: 433.33 a month at the monthly sources, 433 whole dollars at GitHub
        assertEquals(0, new BigDecimal("433.33").compareTo(fake.anthropic("workspace:" + workspace, "monthly")));
        assertEquals(0, new BigDecimal("433.33").compareTo(fake.cap("openai", project)));
        assertEquals(0, new BigDecimal("433").compareTo(fake.cap("github", budget)));

        long request = budgets.request(devId, new BigDecimal("50"), "week", "Release week").request().id;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<BudgetService.Decision>> decisions = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                decisions.add(pool.submit(() -> budgets.decide(request, bossId, true)));
            }
            long decided = 0;
            for (Future<BudgetService.Decision> d : decisions) {
                decided += d.get() instanceof BudgetService.Decided ? 1 : 0;
            }
            assertEquals(1, decided);
            List<Future<Integer>> drains = new ArrayList<>();
            Callable<Integer> drain = writer::drain;
            drains.add(pool.submit(drain));
            drains.add(pool.submit(drain));
            for (Future<Integer> d : drains) {
                d.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(2, fake.writes("litellm", litellm).size());
        assertEquals(0, new BigDecimal("150")
                .compareTo(fake.writes("litellm", litellm).get(1).body().path("max_budget").decimalValue()));
        List<FakeCaps.Call> anthropic = fake.writes("anthropic", "workspace:" + workspace);
        assertEquals(2, anthropic.size());
        assertEquals("65000", anthropic.get(1).body().path("amount").asText());
        assertEquals("monthly", anthropic.get(1).body().path("period").asText());
        assertEquals(workspace, anthropic.get(1).body().path("scope").path("workspace_id").asText());
        List<FakeCaps.Call> openai = fake.writes("openai", project);
        assertEquals(2, openai.size());
        assertEquals(65000, openai.get(1).body().path("threshold_amount").asLong());
        List<FakeCaps.Call> github = fake.writes("github", budget);
        assertEquals(2, github.size());
        assertEquals(650, github.get(1).body().path("budget_amount").asLong());
        JsonPath view = limits(team);
        Instant nextWeek = Weeks.start(Instant.now(), ZoneOffset.UTC).plusWeeks(1).atStartOfDay(ZoneOffset.UTC)
                .toInstant();
        for (int i = 0; i < 4; i++) {
            assertEquals("in_step", view.getString("[" + i + "].status"), view.prettify());
            assertEquals(nextWeek, Instant.parse(view.getString("[" + i + "].revertsAt")));
        }
        assertEquals(150f, view.getFloat("[0].wantedUsd"));
        assertEquals(650f, view.getFloat("[1].wantedUsd"));
        assertEquals("monthly", view.getString("[1].period"));
    }

    @Test
    void aVendorAnswering503ThenOkEndsInStep() {
        String team = "lim-" + Api.unique();
        String litellm = "team-" + Api.unique();
        fake.failNextWrites("litellm", litellm, "503/1");
        admin().body(team(team, 80, List.of(), List.of(link("litellm", litellm)))).put("/api/v1/teams/" + team)
                .then().statusCode(201);
        writer.drain();
        JsonPath view = limits(team);
        assertEquals("pending", view.getString("[0].status"));
        assertTrue(view.getString("[0].lastError").contains("503"), view.getString("[0].lastError"));
        assertEquals(1, fake.writes("litellm", litellm).size());
        // not before its Retry-After
        writer.drain();
        assertEquals(1, fake.writes("litellm", litellm).size());
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
            writer.drain();
            return "in_step".equals(limits(team).getString("[0].status"));
        });
        assertEquals(2, fake.writes("litellm", litellm).size());
        assertEquals(0, new BigDecimal("80").compareTo(fake.cap("litellm", litellm)));
        assertNull(limits(team).getString("[0].lastError"));
    }

    @Test
    void aOneWeekIncreaseIsUndoneAtTheStartOfTheNextWeek() {
        String team = "lim-" + Api.unique();
        String manager = "boss-" + Api.unique() + "@example.com";
        String litellm = "team-" + Api.unique();
        String user = "user_" + Api.unique();
        admin().body(team(team, 100, List.of(manager), List.of(link("litellm", litellm),
                link("anthropic", Map.of("type", "user", "id", user))))).put("/api/v1/teams/" + team)
                .then().statusCode(201);
        long bossId = member(team, manager);
        long devId = member(team, "dev-" + Api.unique() + "@example.com");
        long request = budgets.request(devId, new BigDecimal("25"), "week", "Demo").request().id;
        assertTrue(budgets.decide(request, bossId, true) instanceof BudgetService.Decided);
        writer.drain();
        assertEquals(0, new BigDecimal("125").compareTo(fake.cap("litellm", litellm)));
        assertEquals(0, new BigDecimal("125").compareTo(fake.anthropic("user:" + user, "weekly")));
        // the same week: nothing changes
        sync.sync(Instant.now());
        writer.drain();
        assertEquals(1, fake.writes("litellm", litellm).size());
        assertEquals(1, fake.writes("anthropic", "user:" + user).size());
        Instant nextWeek = Weeks.start(Instant.now(), ZoneOffset.UTC).plusWeeks(1).atStartOfDay(ZoneOffset.UTC)
                .toInstant().plusSeconds(60);
        sync.sync(nextWeek);
        assertEquals("pending", limits(team).getString("[0].status"));
        writer.drain();
        assertEquals(2, fake.writes("litellm", litellm).size());
        assertEquals(0, new BigDecimal("100").compareTo(fake.cap("litellm", litellm)));
        assertEquals(0, new BigDecimal("100").compareTo(fake.anthropic("user:" + user, "weekly")));
        assertEquals("10000", fake.writes("anthropic", "user:" + user).get(1).body().path("amount").asText());
        assertEquals("weekly", fake.writes("anthropic", "user:" + user).get(1).body().path("period").asText());
    }

    @Test
    void aCapChangedInTheConsoleIsReportedOnceAndWrittenBackByTheNextSync() {
        String team = "lim-" + Api.unique();
        String manager = "boss-" + Api.unique() + "@example.com";
        String project = "proj_" + Api.unique();
        admin().body(team(team, 120, List.of(manager), List.of(link("openai", project)))).put("/api/v1/teams/" + team)
                .then().statusCode(201);
        member(team, manager);
        writer.drain();
        assertEquals(0, new BigDecimal("520").compareTo(fake.cap("openai", project)));
        sync.sync(Instant.now());
        assertEquals("in_step", limits(team).getString("[0].status"));

        fake.setInConsole("openai", project, new BigDecimal("2000"));
        sync.sync(Instant.now());
        JsonPath view = limits(team);
        assertEquals("drifted", view.getString("[0].status"));
        assertEquals(2000f, view.getFloat("[0].reportedUsd"));
        assertEquals(520f, view.getFloat("[0].wantedUsd"));
        String dms = "select count(*) from outbox_message where dedupe_key like ?";
        String key = "limit-drift:openai:" + project + ":%";
        assertEquals(1, Db.scalar(ds, dms, key));
        assertTrue(Db.string(ds, "select body from outbox_message where dedupe_key like ?", key)
                .contains("changed outside Yardstick"));
        writer.drain(); // not before the next sync
        assertEquals(1, fake.writes("openai", project).size());

        sync.sync(Instant.now());
        assertEquals("pending", limits(team).getString("[0].status"));
        writer.drain();
        assertEquals(2, fake.writes("openai", project).size());
        assertEquals(0, new BigDecimal("520").compareTo(fake.cap("openai", project)));
        sync.sync(Instant.now());
        assertEquals("in_step", limits(team).getString("[0].status"));
        assertEquals(1, Db.scalar(ds, dms, key));
    }

    @Test
    void linksAreCheckedWithClearMessages() {
        String team = "lim-" + Api.unique();
        admin().body(team(team, 100, List.of(), List.of(link("azure", "x")))).put("/api/v1/teams/" + team)
                .then().statusCode(400)
                .body("detail", containsString("limits[0].source must be one of litellm, anthropic, openai, "
                        + "github-copilot"));
        admin().body(team(team, 100, List.of(), List.of(link("anthropic", Map.of("type", "workspace")))))
                .put("/api/v1/teams/" + team).then().statusCode(400)
                .body("detail", containsString("a workspace scope needs its id"));
        admin().body(team(team, 100, List.of(), List.of(link("openai", Map.of("id", "p")))))
                .put("/api/v1/teams/" + team).then().statusCode(400)
                .body("detail", containsString("limits[0].target must be an OpenAI project id"));
        String shared = "team-" + Api.unique();
        admin().body(team(team, 100, List.of(), List.of(link("litellm", shared)))).put("/api/v1/teams/" + team)
                .then().statusCode(201);
        String other = "lim-" + Api.unique();
        admin().body(team(other, 100, List.of(), List.of(link("litellm", shared)))).put("/api/v1/teams/" + other)
                .then().statusCode(409).body("detail", containsString("already linked to team '" + team + "'"));
        // unlinked: no more writes, the caps stay as they are
        admin().body(team(team, 300, List.of(), List.of())).put("/api/v1/teams/" + team).then().statusCode(200)
                .body("limits.size()", equalTo(0));
        assertEquals(0, limits(team).getList("$").size());
        admin().get("/api/v1/teams/nope-" + Api.unique() + "/limits").then().statusCode(404);
    }
}
