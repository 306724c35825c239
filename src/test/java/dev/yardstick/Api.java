package dev.yardstick;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.Map;
import java.util.UUID;

/** Test helpers for calling the service over real HTTP. */
public final class Api {

    /** The admin token set for the test profile in application.properties. */
    public static final String ADMIN_TOKEN = "test-admin-token";

    private Api() {
    }

    /** A short unique suffix, so tests sharing one database never collide. */
    public static String unique() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    /** A request carrying the admin token. */
    public static RequestSpecification admin() {
        return given().header("Authorization", "Bearer " + ADMIN_TOKEN).contentType(ContentType.JSON);
    }

    /** A request carrying an ingest token. */
    public static RequestSpecification ingest(String token) {
        return given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
    }

    /** POSTs NDJSON text to an ingest endpoint. */
    public static io.restassured.response.Response ndjson(String token, String path, String body) {
        return given().header("Authorization", "Bearer " + token).contentType("application/x-ndjson")
                .body(body.getBytes(java.nio.charset.StandardCharsets.UTF_8)).post(path);
    }

    /** Creates a team with the given timezone and returns its key. */
    public static String team(String prefix, String timezone) {
        String key = prefix + "-" + unique();
        admin().body(Map.of("name", "Team " + key, "timezone", timezone, "weeklyBudgetUsd", 500))
                .put("/api/v1/teams/" + key).then().statusCode(201);
        return key;
    }

    /** Creates a member of the team and returns their email. */
    public static String member(String team) {
        String email = "dev-" + unique() + "@example.com";
        admin().body(Map.of("displayName", "Dev", "team", team)).put("/api/v1/members/" + email)
                .then().statusCode(201);
        return email;
    }

    /** Creates an ingest token with this scope and returns its secret. */
    public static String ingestToken(Map<String, Object> scope) {
        return admin().body(Map.of("name", "scoped " + unique(), "scope", scope)).post("/api/v1/ingest-tokens")
                .then().statusCode(201).extract().path("token");
    }

    /** Creates an ingest token and returns its secret. */
    public static String ingestToken() {
        return admin().body(Map.of("name", "test " + unique())).post("/api/v1/ingest-tokens")
                .then().statusCode(201).extract().path("token");
    }
}
