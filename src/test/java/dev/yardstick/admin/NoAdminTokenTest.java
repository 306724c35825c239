package dev.yardstick.admin;

import static io.restassured.RestAssured.given;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Outside dev mode, with no YARDSTICK_ADMIN_TOKEN, every admin call answers 401. */
@QuarkusTest
@TestProfile(NoAdminTokenTest.Unset.class)
class NoAdminTokenTest {

    /** Clears the test profile's admin token. */
    public static class Unset implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("yardstick.admin-token", "");
        }
    }

    @Test
    void adminApiIsClosed() {
        given().get("/api/v1/teams").then().statusCode(401);
        given().header("Authorization", "Bearer ").get("/api/v1/teams").then().statusCode(401);
        given().header("Authorization", "Bearer null").get("/api/v1/teams").then().statusCode(401);
    }
}
