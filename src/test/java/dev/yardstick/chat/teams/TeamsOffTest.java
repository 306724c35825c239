package dev.yardstick.chat.teams;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** Without TEAMS_APP_ID (the default test profile) the Teams endpoint is off. */
@QuarkusTest
class TeamsOffTest {

    @Test
    void withoutAnAppIdTheEndpointAnswers503() {
        given().contentType("application/json").body("{\"type\":\"message\"}").post("/api/messages").then()
                .statusCode(503).contentType("application/problem+json").body("status", equalTo(503));
    }
}
