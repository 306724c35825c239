package dev.yardstick;

import static dev.yardstick.Api.ingest;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.yardstick.ledger.RetentionJob;
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

        assertEquals(0, Db.scalar(ds, "select count(*) from usage_event where id = ?", oldId));
        assertEquals(1, Db.scalar(ds, "select count(*) from usage_event where id = ?", newId));
        assertEquals(2, Db.scalar(ds, "select sum(events) from usage_daily where team_key = ?", team),
                "rollups outlive the raw events");
    }
}
