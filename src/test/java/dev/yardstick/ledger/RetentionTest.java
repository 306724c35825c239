package dev.yardstick.ledger;

import static dev.yardstick.Api.ingest;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.yardstick.Api;
import dev.yardstick.Db;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

@QuarkusTest
class RetentionTest {

    @Inject
    DataSource ds;
    @Inject
    RetentionJob retention;

    @Test
    void purgeRemovesOldRawEventsAndKeepsRollups() {
        String token = Api.ingestToken();
        String team = Api.team("ret", "UTC");
        String user = Api.member(team);
        Instant old = Instant.now().minus(20, ChronoUnit.DAYS);
        Instant recent = Instant.now().minus(1, ChronoUnit.HOURS);
        String oldId = "old-" + Api.unique();
        String newId = "new-" + Api.unique();
        ingest(token).body(List.of(
                Map.of("id", oldId, "time", old.toString(), "user", user, "tool", "codex", "model", "gpt-5",
                        "costUsd", 1),
                Map.of("id", newId, "time", recent.toString(), "user", user, "tool", "codex", "model", "gpt-5",
                        "costUsd", 1)))
                .post("/api/v1/usage-events").then().statusCode(202);

        retention.purge(Instant.now().minus(10, ChronoUnit.DAYS));

        assertEquals(0,
                Db.scalar(ds, "select count(*) from usage_event where id_key = usage_id_key(md5(?)::uuid)", oldId));
        assertEquals(1,
                Db.scalar(ds, "select count(*) from usage_event where id_key = usage_id_key(md5(?)::uuid)", newId));
        assertEquals(2, Db.scalar(ds, "select sum(events) from usage_daily_all where team_key = ?", team),
                "rollups outlive the raw events");
    }

    @Test
    void voidedEventsStayStoredUntilTheRawRetention() {
        String token = Api.ingestToken();
        String team = Api.team("retv", "UTC");
        String user = Api.member(team);
        String oldId = "oldv-" + Api.unique();
        String newId = "newv-" + Api.unique();
        ingest(token).body(List.of(
                Map.of("id", oldId, "time", Instant.now().minus(20, ChronoUnit.DAYS).toString(), "user", user, "tool",
                        "codex", "model", "gpt-5", "costUsd", 1),
                Map.of("id", newId, "time", Instant.now().minus(1, ChronoUnit.HOURS).toString(), "user", user, "tool",
                        "codex", "model", "gpt-5", "costUsd", 1)))
                .post("/api/v1/usage-events").then().statusCode(202);
        long voidId = Api.admin().body(Map.of("ids", List.of(oldId, newId), "reason", "test traffic"))
                .post("/api/v1/usage-events/void").then().statusCode(200).extract().jsonPath().getLong("voidId");
        assertEquals(2, Db.scalar(ds, "select count(*) from usage_event_voided where void_id = ?", voidId));

        retention.purge(Instant.now().minus(10, ChronoUnit.DAYS));

        assertEquals(0,
                Db.scalar(ds, "select count(*) from usage_event_voided where id_key = usage_id_key(md5(?)::uuid)",
                        oldId));
        assertEquals(1,
                Db.scalar(ds, "select count(*) from usage_event_voided where id_key = usage_id_key(md5(?)::uuid)"
                        + " and void_id = ?", newId, voidId));
    }

    @Test
    void eachFeaturePurgesItsOwnStateInTheSameRun() {
        String u = Api.unique();
        Db.update(ds, "insert into otlp_series (series_key, start_nanos, time_nanos, value, seen_at) values "
                + "(?, 0, 0, 1, now() - interval '20 days'), (?, 0, 0, 1, now())", "old-" + u, "new-" + u);
        Db.update(ds, "insert into otlp_session (tool, session_id, signal, seen_at) values "
                + "('codex', ?, 'logs', now() - interval '20 days'), ('codex', ?, 'logs', now())", "old-" + u,
                "new-" + u);
        Db.update(ds, "insert into watch_session (member_id, session_key, created_at) values "
                + "(-1, ?, now() - interval '3 days'), (-1, ?, now())", "old-" + u, "new-" + u);

        retention.purge(Instant.now().minus(10, ChronoUnit.DAYS));

        for (String table : List.of("otlp_series where series_key", "otlp_session where session_id",
                "watch_session where session_key")) {
            assertEquals(0, Db.scalar(ds, "select count(*) from " + table + " = ?", "old-" + u), table);
            assertEquals(1, Db.scalar(ds, "select count(*) from " + table + " = ?", "new-" + u), table);
        }
    }
}
