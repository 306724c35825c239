package dev.yardstick.admin;

import static dev.yardstick.Api.admin;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import dev.yardstick.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class AdminApiTest {

    @Test
    void teamIsCreatedThenUpdatedWithDefaults() {
        String key = "platform-" + Api.unique();
        String repo = "acme/" + key;
        admin().body(Map.of("name", "Platform", "slackChannelId", "C0123ABCD",
                "managers", List.of("Ana@Example.com"), "weeklyBudgetUsd", 750,
                "repositories", List.of("Acme/" + key, repo)))
                .put("/api/v1/teams/" + key)
                .then().statusCode(201)
                .body("key", equalTo(key))
                .body("managers", equalTo(List.of("ana@example.com")))
                .body("repositories", equalTo(List.of(repo)))
                .body("timezone", equalTo("UTC"))
                .body("digestDay", equalTo("MONDAY"))
                .body("digestTime", equalTo("09:00"));

        admin().body(Map.of("name", "Other", "repositories", List.of(repo)))
                .put("/api/v1/teams/other-" + Api.unique())
                .then().statusCode(409).contentType("application/problem+json")
                .body("detail", containsString(key));

        admin().body(Map.of("name", "Platform team", "weeklyBudgetUsd", 900.5, "timezone", "Europe/Berlin",
                "digestDay", "friday", "digestTime", "16:30"))
                .put("/api/v1/teams/" + key)
                .then().statusCode(200)
                .body("name", equalTo("Platform team"))
                .body("weeklyBudgetUsd", equalTo(900.5f))
                .body("digestDay", equalTo("FRIDAY"))
                .body("slackChannelId", nullValue())
                .body("repositories", equalTo(List.of()));

        admin().get("/api/v1/teams/" + key).then().statusCode(200).body("timezone", equalTo("Europe/Berlin"));
        admin().get("/api/v1/teams").then().statusCode(200).body("key", hasItem(key));
    }

    @Test
    void teamInputIsChecked() {
        admin().body(Map.of("name", "x")).put("/api/v1/teams/Bad_Key").then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("[a-z0-9-]{1,64}"));
        admin().body(Map.of("name", "x")).put("/api/v1/teams/unassigned").then().statusCode(400)
                .body("detail", containsString("reserved"));
        String key = "t-" + Api.unique();
        admin().body(Map.of("name", "x", "colour", "blue")).put("/api/v1/teams/" + key).then().statusCode(400)
                .contentType("application/problem+json").body("detail", equalTo("Unknown field 'colour'."));
        admin().body(Map.of("name", "x", "timezone", "Mars/Olympus")).put("/api/v1/teams/" + key)
                .then().statusCode(400).body("detail", containsString("IANA"));
        admin().body(Map.of("name", "x", "digestDay", "SOMEDAY")).put("/api/v1/teams/" + key)
                .then().statusCode(400).body("detail", containsString("MONDAY..SUNDAY"));
        admin().body(Map.of("name", "x", "digestTime", "9am")).put("/api/v1/teams/" + key)
                .then().statusCode(400).body("detail", containsString("HH:mm"));
        admin().body(Map.of("name", "x", "weeklyBudgetUsd", -1)).put("/api/v1/teams/" + key)
                .then().statusCode(400).body("detail", containsString("weeklyBudgetUsd"));
        admin().body(Map.of("name", "x", "repositories", List.of("no-slash"))).put("/api/v1/teams/" + key)
                .then().statusCode(400).body("detail", containsString("owner/name"));
        admin().body(Map.of("name", "x", "managers", List.of("not-an-email"))).put("/api/v1/teams/" + key)
                .then().statusCode(400);
        admin().body(Map.of("slackChannelId", "C1")).put("/api/v1/teams/" + key).then().statusCode(400)
                .body("detail", containsString("name"));
        admin().body("{\"name\": ").put("/api/v1/teams/" + key).then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", not(containsString("Exception")));
        admin().get("/api/v1/teams/" + key).then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void adminApiNeedsTheAdminToken() {
        given().get("/api/v1/teams").then().statusCode(401).contentType("application/problem+json");
        given().header("Authorization", "Bearer wrong").get("/api/v1/teams").then().statusCode(401);
        given().header("Authorization", "Bearer " + Api.ingestToken()).get("/api/v1/teams").then().statusCode(401);
        given().contentType(ContentType.JSON).body(Map.of("name", "sneaky"))
                .post("/api/v1/ingest-tokens").then().statusCode(401);
    }

    @Test
    void memberBelongsToAtMostOneTeam() {
        String a = Api.team("a", "UTC");
        String b = Api.team("b", "UTC");
        String email = "Lee-" + Api.unique() + "@Example.com";
        admin().body(Map.of("displayName", "Lee", "team", a, "slackUserId", "U" + Api.unique().toUpperCase()))
                .put("/api/v1/members/" + email)
                .then().statusCode(201).body("team", equalTo(a)).body("email", equalTo(email.toLowerCase()));
        admin().body(Map.of("displayName", "Lee", "team", b)).put("/api/v1/members/" + email)
                .then().statusCode(200).body("team", equalTo(b)).body("slackUserId", nullValue());
        admin().get("/api/v1/members/" + email.toLowerCase()).then().statusCode(200).body("team", equalTo(b));

        admin().body(Map.of("team", "no-such-team")).put("/api/v1/members/x-" + Api.unique() + "@example.com")
                .then().statusCode(400).body("detail", containsString("no-such-team"));
        admin().body(Map.of("team", a)).put("/api/v1/members/not-an-email").then().statusCode(400);
        admin().body(Map.of("team", a, "age", 3)).put("/api/v1/members/y-" + Api.unique() + "@example.com")
                .then().statusCode(400).body("detail", equalTo("Unknown field 'age'."));
    }

    @Test
    void slackUserIdIsUnique() {
        String team = Api.team("s", "UTC");
        String slack = "U" + Api.unique().toUpperCase();
        admin().body(Map.of("team", team, "slackUserId", slack))
                .put("/api/v1/members/p-" + Api.unique() + "@example.com")
                .then().statusCode(201);
        admin().body(Map.of("team", team, "slackUserId", slack))
                .put("/api/v1/members/q-" + Api.unique() + "@example.com")
                .then().statusCode(409).contentType("application/problem+json");
    }

    @Test
    void ingestTokenIsShownOnceAndStoredAsHash() {
        String name = "ci " + Api.unique();
        Map<String, Object> created = admin().body(Map.of("name", name)).post("/api/v1/ingest-tokens")
                .then().statusCode(201).extract().as(Map.class);
        String token = (String) created.get("token");
        Number id = (Number) created.get("id");
        org.junit.jupiter.api.Assertions.assertTrue(token.startsWith("ysk_") && token.length() > 40);

        String listing = admin().get("/api/v1/ingest-tokens").then().statusCode(200).extract().asString();
        org.junit.jupiter.api.Assertions.assertTrue(listing.contains(name));
        org.junit.jupiter.api.Assertions.assertFalse(listing.contains(token), "the secret must never be listed");
        org.junit.jupiter.api.Assertions.assertFalse(listing.contains("hash"), "no hash in the listing");

        admin().delete("/api/v1/ingest-tokens/" + id).then().statusCode(204);
        admin().get("/api/v1/ingest-tokens").then().body("find { it.id == " + id + " }.active", equalTo(false));
        admin().delete("/api/v1/ingest-tokens/999999999").then().statusCode(404);
    }
}
