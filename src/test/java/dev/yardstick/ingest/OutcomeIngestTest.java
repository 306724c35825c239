package dev.yardstick.ingest;

import static dev.yardstick.Api.ingest;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.yardstick.Api;
import dev.yardstick.Db;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

@QuarkusTest
class OutcomeIngestTest {

    @Inject
    DataSource ds;

    @Test
    void outcomesAreJudgedOneByOneAndDeduplicated() {
        String token = Api.ingestToken();
        String team = Api.team("out", "UTC");
        String user = Api.member(team);
        String t = Instant.now().minusSeconds(30).toString();
        String id = "pr-" + Api.unique();
        ingest(token).body(List.of(
                Map.of("id", id, "time", t, "user", user, "kind", "pr_merged", "aiAssisted", true),
                Map.of("id", id, "time", t, "user", user, "kind", "deployment"),
                Map.of("id", "o-" + Api.unique(), "time", t, "kind", "pr_merged"),
                Map.of("id", "o-" + Api.unique(), "time", t, "team", team, "kind", "shipped_vibes"),
                Map.of("id", "o-" + Api.unique(), "time", t, "team", team, "kind", "deployment",
                        "aiAssisted", "yes"),
                Map.of("id", "o-" + Api.unique(), "time", t, "team", "ghost-team", "kind", "deployment")))
                .post("/api/v1/outcome-events").then().statusCode(202)
                .body("accepted", equalTo(1))
                .body("duplicates", equalTo(1))
                .body("rejected", hasSize(4))
                .body("rejected[0].error", equalTo("user or team is required"))
                .body("rejected[1].error", equalTo(
                        "kind must be one of deployment, incident_resolved, other, pr_merged, ticket_resolved"))
                .body("rejected[2].error", equalTo("aiAssisted must be true or false"))
                .body("rejected[3].error", equalTo("unknown team 'ghost-team'"));
        assertEquals(1, Db.scalar(ds, "select sum(outcomes) from outcome_daily where team_key = ?", team));
        assertEquals(1, Db.scalar(ds, "select sum(ai_assisted) from outcome_daily where team_key = ?", team));
        assertEquals("pr_merged", Db.string(ds, "select kind from outcome_event where id = ?", id));
    }
}
