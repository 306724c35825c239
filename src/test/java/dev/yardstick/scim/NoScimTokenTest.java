package dev.yardstick.scim;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.parsing.Parser;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With no YARDSTICK_SCIM_TOKEN, SCIM is off: every request answers 503 in SCIM's error shape. */
@QuarkusTest
@TestProfile(NoScimTokenTest.Unset.class)
class NoScimTokenTest {

    /** Clears the test profile's SCIM token. */
    public static class Unset implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("yardstick.scim.token", "");
        }
    }

    @Test
    void scimIsOff() {
        RestAssured.registerParser("application/scim+json", Parser.JSON);
        for (String path : new String[]{"/scim/v2/Users", "/scim/v2/Groups", "/scim/v2/ServiceProviderConfig"}) {
            given().header("Authorization", "Bearer ").get(path).then().statusCode(503)
                    .contentType(startsWith("application/scim+json"))
                    .body("schemas", hasItem("urn:ietf:params:scim:api:messages:2.0:Error"))
                    .body("status", equalTo("503"));
        }
        given().header("Authorization", "Bearer test-scim-token").contentType("application/scim+json")
                .body("{\"userName\":\"a@example.com\"}").post("/scim/v2/Users").then().statusCode(503);
    }
}
