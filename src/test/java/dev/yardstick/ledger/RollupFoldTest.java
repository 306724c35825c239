package dev.yardstick.ledger;

import static dev.yardstick.Api.admin;
import static dev.yardstick.Api.ingest;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.yardstick.Api;
import dev.yardstick.Db;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * New usage is appended to {@code usage_pending} and folded into the rollups about every second: readers see it at
 * once either way (the {@code *_all} views), the fold moves every row exactly once while batches keep coming, a
 * leaver's usage never marks them active, and a key whose total would overflow stays pending without stopping the
 * rest.
 */
@QuarkusTest
class RollupFoldTest {

    @Inject
    DataSource ds;
    @Inject
    RollupFold fold;

    @org.junit.jupiter.api.BeforeEach
    void folding() {
        fold.behindRows(RollupFold.BEHIND_ROWS);
    }

    private String event(String id, String user, long input, String cost) {
        return "{\"id\":\"" + id + "\",\"time\":\"" + Instant.now().minusSeconds(120) + "\",\"user\":\"" + user
                + "\",\"tool\":\"claude-code\",\"model\":\"claude-sonnet-4\",\"inputTokens\":" + input
                + ",\"outputTokens\":1,\"requests\":1" + (cost == null ? "" : ",\"costUsd\":" + cost) + "}";
    }

    /** A member of the team who has left (their usage goes on, under no team). */
    private static String leaver(String team) {
        String leaves = Api.member(team);
        admin().delete("/api/v1/members/" + leaves).then().statusCode(204);
        return leaves;
    }

    private long pending(String team) {
        return Db.scalar(ds, "select count(*) from usage_pending p join usage_kind k on k.id = p.kind"
                + " where k.team_key = ?", team);
    }

    private long folded(String table, String team) {
        return Db.scalar(ds, "select coalesce(sum(input_tokens), 0) from " + table + " where team_key = ?", team);
    }

    private void awaitFolded(String team) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            fold.fold();
            return pending(team) == 0;
        });
    }

    @Test
    void batchesFoldedWhileTheyArriveAreCountedOnceAndMarkTheirMembers() throws Exception {
        String team = Api.team("fold", "UTC");
        String a = Api.member(team);
        String b = Api.member(team);
        String token = Api.ingestToken();
        String p = "fold-" + Api.unique() + "-";
        AtomicBoolean sending = new AtomicBoolean(true);
        CompletableFuture<Long> folds = CompletableFuture.supplyAsync(() -> {
            long n = 0;
            while (sending.get()) {
                n += fold.fold();
            }
            return n;
        });
        long expected = 0;
        for (int batch = 0; batch < 20; batch++) {
            StringBuilder body = new StringBuilder("[");
            for (int i = 0; i < 50; i++) {
                long input = 100 + batch * 50 + i;
                expected += input;
                body.append(i == 0 ? "" : ",").append(event(p + batch + "-" + i, i % 2 == 0 ? a : b, input, null));
            }
            ingest(token).body(body.append("]").toString()).post("/api/v1/usage-events").then().statusCode(202);
            // exact at every moment: folded and pending together
            assertEquals(expected, folded("usage_team_daily_all", team));
            assertEquals(expected, folded("usage_daily_all", team));
        }
        sending.set(false);
        folds.get();
        awaitFolded(team);
        assertEquals(expected, folded("usage_daily", team));
        assertEquals(expected, folded("usage_team_daily", team));
        assertEquals(expected, folded("usage_daily_all", team));
        assertEquals(2, Db.scalar(ds, "select count(*) from team_member_day where team_key = ?", team));
        assertEquals(2, Db.scalar(ds, "select count(distinct member_id) from team_member_day_all where team_key = ?",
                team));
        // the fold writes one row per key (shard 0), whatever the number of batches
        assertEquals(2, Db.scalar(ds, "select count(*) from usage_daily where team_key = ?", team));
        LocalDate from = LocalDate.now(ZoneOffset.UTC).minusDays(1);
        admin().get("/api/v1/teams/" + team + "/summary?from=" + from + "&to=" + from.plusDays(1)).then()
                .statusCode(200).body("activeMembers", org.hamcrest.Matchers.equalTo(2));
    }

    @Test
    void aLeaversUsageCountsButDoesNotMarkThemActive() {
        String team = Api.team("foldleft", "UTC");
        String stays = Api.member(team);
        String leaves = leaver(team);
        long leaver = Db.scalar(ds, "select id from member where email = ?", leaves);
        String p = "foldleft-" + Api.unique() + "-";
        ingest(Api.ingestToken()).body("[" + event(p + 1, stays, 10, null) + "," + event(p + 2, leaves, 20, null) + "]")
                .post("/api/v1/usage-events").then().statusCode(202).body("accepted", org.hamcrest.Matchers.equalTo(2));
        String activeDays = "select count(*) from team_member_day_all where member_id = ?";
        String usage = "select coalesce(sum(input_tokens), 0) from %s where member_id = ?";
        assertEquals(0, Db.scalar(ds, activeDays, leaver));
        assertEquals(20, Db.scalar(ds, usage.formatted("usage_daily_all"), leaver));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            fold.fold();
            return Db.scalar(ds, "select count(*) from usage_pending p join usage_kind k on k.id = p.kind"
                    + " where k.member_id = ?", leaver) == 0 && pending(team) == 0;
        });
        assertEquals(20, Db.scalar(ds, usage.formatted("usage_daily"), leaver));
        assertEquals(0, Db.scalar(ds, activeDays, leaver));
        assertEquals(1, Db.scalar(ds, "select count(*) from team_member_day where team_key = ?", team));
    }

    @Test
    void whileTheFoldIsBehindBatchesAddToTheRollupsThemselves() {
        String team = Api.team("foldbehind", "UTC");
        String stays = Api.member(team);
        String leaves = leaver(team);
        long leaver = Db.scalar(ds, "select id from member where email = ?", leaves);
        String p = "foldbehind-" + Api.unique() + "-";
        fold.behindRows(-1);
        try {
            ingest(Api.ingestToken()).body("[" + event(p + 1, stays, 10, null) + "," + event(p + 2, stays, 5, null)
                    + "," + event(p + 3, leaves, 20, null) + "]").post("/api/v1/usage-events").then().statusCode(202)
                    .body("accepted", org.hamcrest.Matchers.equalTo(3));
        } finally {
            fold.behindRows(RollupFold.BEHIND_ROWS);
        }
        // in the rollups at once, nothing pending
        assertEquals(0, pending(team));
        assertEquals(0, Db.scalar(ds, "select count(*) from usage_pending p join usage_kind k on k.id = p.kind"
                + " where k.member_id = ?", leaver));
        assertEquals(15, folded("usage_team_daily", team));
        assertEquals(15, folded("usage_daily", team));
        assertEquals(20, Db.scalar(ds, "select sum(input_tokens) from usage_daily where member_id = ?", leaver));
        assertEquals(1, Db.scalar(ds, "select count(*) from team_member_day where team_key = ?", team));
        assertEquals(0, Db.scalar(ds, "select count(*) from team_member_day_all where member_id = ?", leaver));
    }

    @Test
    void aKeyWhoseTotalWouldOverflowStaysPendingAndTheRestIsFolded() {
        String full = Api.team("foldfull", "UTC");
        String other = Api.team("foldother", "UTC");
        String fullUser = Api.member(full);
        String otherUser = Api.member(other);
        long member = Db.scalar(ds, "select id from member where email = ?", fullUser);
        LocalDate day = Instant.now().minusSeconds(120).atZone(ZoneOffset.UTC).toLocalDate();
        // a member's daily total already at the top of its column (below 10^12 USD)
        Db.update(ds, """
                insert into usage_daily (team_key, day, member_id, tool, model, input_tokens, output_tokens,
                    cache_read_tokens, cache_write_tokens, cost_usd, requests, events, unpriced_events, shard)
                values (?, ?, ?, 'claude-code', 'claude-sonnet-4', 0, 0, 0, 0, 999999999999.00000000, 0, 0, 0, 0)
                """, full, day, member);
        String p = "foldfull-" + Api.unique() + "-";
        ingest(Api.ingestToken()).body("[" + event(p + 1, fullUser, 7, "5") + "," + event(p + 2, otherUser, 9, "1")
                + "]").post("/api/v1/usage-events").then().statusCode(202);
        awaitFolded(other);
        fold.fold();
        assertEquals(1, pending(full), "the overflowing key is left pending");
        assertEquals(7, folded("usage_daily_all", full));
        assertEquals("1000000000004.00000000", Db.string(ds,
                "select sum(cost_usd)::text from usage_daily_all where team_key = ?", full));
        assertEquals(9, folded("usage_daily", other));
    }
}
