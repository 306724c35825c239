package dev.yardstick.admin;

import static dev.yardstick.Api.admin;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import dev.yardstick.Api;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code GET /api/v1/teams/{key}/audit}: every change through the API, newest first. */
@QuarkusTest
class TeamAuditTest {

    @Test
    void putAndDeleteAreAuditedFromTo() {
        String key = "aud-" + Api.unique();
        String mgr = "m-" + Api.unique() + "@example.com";
        admin().body(Map.of("name", "Audit", "weeklyBudgetUsd", 500, "managers", List.of(mgr)))
                .put("/api/v1/teams/" + key).then().statusCode(201);
        admin().body(Map.of("name", "Audit", "weeklyBudgetUsd", 800, "managers", List.of(mgr), "digestTime", "10:00"))
                .put("/api/v1/teams/" + key).then().statusCode(200);
        // the same again: nothing changed, nothing recorded
        admin().body(Map.of("name", "Audit", "weeklyBudgetUsd", 800, "managers", List.of(mgr), "digestTime", "10:00"))
                .put("/api/v1/teams/" + key).then().statusCode(200);
        admin().get("/api/v1/teams/" + key + "/audit").then().statusCode(200).body("size()", equalTo(2))
                .body("[0].by", equalTo("api:admin")).body("[0].via", equalTo("api"))
                .body("[0].changes", equalTo(List.of(
                        Map.of("field", "weeklyBudgetUsd", "from", "500.00", "to", "800.00"),
                        Map.of("field", "digestTime", "from", "09:00", "to", "10:00"))))
                .body("[1].changes.find { it.field == 'status' }.from", nullValue())
                .body("[1].changes.find { it.field == 'status' }.to", equalTo("active"))
                .body("[1].changes.find { it.field == 'managers' }.to", equalTo(mgr));
        admin().delete("/api/v1/teams/" + key).then().statusCode(204);
        admin().get("/api/v1/teams/" + key + "/audit").then().statusCode(200).body("size()", equalTo(3))
                .body("[0].changes.find { it.field == 'status' }.to", equalTo("deleted"))
                .body("[0].changes.find { it.field == 'weeklyBudgetUsd' }.to", nullValue());
    }

    @Test
    void theAuditOfAnUnknownTeamIs404AndNeedsTheAdminToken() {
        admin().get("/api/v1/teams/no-such-" + Api.unique() + "/audit").then().statusCode(404)
                .contentType("application/problem+json");
        io.restassured.RestAssured.given().get("/api/v1/teams/x/audit").then().statusCode(401);
    }
}
