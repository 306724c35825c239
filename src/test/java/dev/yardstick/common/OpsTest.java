package dev.yardstick.common;

import static dev.yardstick.Api.ingest;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import dev.yardstick.Api;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class OpsTest {

    @Test
    void threeHealthProbesAnswer() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.find { it.name == 'database' }.status", equalTo("UP"))
                .body(not(containsString("jdbc"))).body(not(containsString("localhost")));
        given().get("/q/health/started").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void metricsCountEventsByKindAndResult() {
        String token = Api.ingestToken();
        String team = Api.team("metrics", "UTC");
        String user = Api.member(team);
        String id = "m-" + Api.unique();
        Map<String, Object> e = Map.of("id", id, "time", Instant.now().toString(), "user", user, "tool", "codex",
                "model", "gpt-5");
        ingest(token).body(List.of(e, e, Map.of("id", "bad"))).post("/api/v1/usage-events").then().statusCode(202);
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String result : List.of("accepted", "duplicate", "rejected")) {
            org.hamcrest.MatcherAssert.assertThat(metrics,
                    containsString("yardstick_ingest_events_total{kind=\"usage\",result=\"" + result + "\"}"));
        }
    }

    @Test
    void openApiDescribesTheApi() {
        given().get("/q/openapi").then().statusCode(200).body(containsString("/api/v1/usage-events"));
    }

    @Test
    void openApiDeclaresTheBearerSchemesAndWhichEndpointTakesWhich() {
        var doc = given().queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract().jsonPath();
        for (String scheme : List.of("admin", "reader", "ingest", "scim")) {
            org.junit.jupiter.api.Assertions.assertEquals("http",
                    doc.getString("components.securitySchemes." + scheme + ".type"), scheme);
            org.junit.jupiter.api.Assertions.assertEquals("bearer",
                    doc.getString("components.securitySchemes." + scheme + ".scheme"), scheme);
        }
        org.junit.jupiter.api.Assertions.assertEquals(List.of(Map.of("ingest", List.of())),
                doc.getList("paths.'/api/v1/usage-events'.post.security"));
        org.junit.jupiter.api.Assertions.assertEquals(List.of(Map.of("admin", List.of()), Map.of("reader", List.of())),
                doc.getList("paths.'/api/v1/teams/{key}/summary'.get.security"));
        org.junit.jupiter.api.Assertions.assertEquals(List.of(Map.of("admin", List.of())),
                doc.getList("paths.'/api/v1/teams'.get.security"));
        org.junit.jupiter.api.Assertions.assertEquals(List.of(Map.of("scim", List.of())),
                doc.getList("paths.'/scim/v2/Users'.get.security"));
        org.hamcrest.MatcherAssert.assertThat(doc.getString("components.securitySchemes.admin.description"),
                containsString("YARDSTICK_ADMIN_TOKEN"));
    }

    @Test
    void unknownPathsAnswerProblemJsonWithoutInternals() {
        given().get("/api/v1/nothing-here").then().statusCode(404)
                .contentType("application/problem+json")
                .body("status", equalTo(404))
                .body(not(containsString("Exception")));
        given().get("/nothing/at/all").then().statusCode(404).contentType("application/problem+json");
    }
}
