package dev.yardstick.ingest;

import static dev.yardstick.Api.ingest;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.yardstick.Api;
import dev.yardstick.Db;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** {@code POST /api/v1/sessions}: linking a coding session to a repository and branch. */
@QuarkusTest
class SessionLinksTest {

    @Inject
    DataSource ds;

    private long links(String session) {
        return Db.scalar(ds, "select count(*) from session_link where session_id = ?", session);
    }

    @Test
    void aLinkIsStoredOncePerSessionAndBranchAndASessionMayMoveBranches() {
        String token = Api.ingestToken();
        String session = "s-" + Api.unique();
        Map<String, Object> body = Map.of("sessionId", session, "repository", "Acme/Widgets.git",
                "branch", "ana/eng-123-retry", "headSha", "0123456789abcdef0123456789abcdef01234567");
        ingest(token).body(body).post("/api/v1/sessions").then().statusCode(201)
                .body("repository", equalTo("acme/widgets")).body("created", equalTo(true));
        ingest(token).body(body).post("/api/v1/sessions").then().statusCode(200).body("created", equalTo(false));
        assertEquals(1, links(session));
        assertEquals("acme/widgets|ana/eng-123-retry|0123456789abcdef0123456789abcdef01234567", Db.string(ds,
                "select repository || '|' || branch || '|' || head_sha from session_link where session_id = ?",
                session));

        ingest(token).body(Map.of("sessionId", session, "repository", "acme/widgets", "branch", "main"))
                .post("/api/v1/sessions").then().statusCode(201);
        assertEquals(2, links(session));
    }

    @Test
    void withoutSessionRepositoryOrBranchItIs400() {
        String token = Api.ingestToken();
        Map<String, Object> full = Map.of("sessionId", "s-" + Api.unique(), "repository", "acme/widgets",
                "branch", "main");
        for (String missing : List.of("sessionId", "repository", "branch")) {
            Map<String, Object> body = new HashMap<>(full);
            body.remove(missing);
            ingest(token).body(body).post("/api/v1/sessions").then().statusCode(400)
                    .contentType(startsWith("application/problem+json")).body("detail", containsString(missing));
            body.put(missing, " ");
            ingest(token).body(body).post("/api/v1/sessions").then().statusCode(400);
        }
        Map<String, Object> badRepo = new HashMap<>(full);
        badRepo.put("repository", "widgets");
        ingest(token).body(badRepo).post("/api/v1/sessions").then().statusCode(400)
                .body("detail", containsString("owner/name"));
        Map<String, Object> unknown = new HashMap<>(full);
        unknown.put("title", "Retry payments");
        ingest(token).body(unknown).post("/api/v1/sessions").then().statusCode(400);
        ingest(token).body("not json").post("/api/v1/sessions").then().statusCode(400)
                .contentType(startsWith("application/problem+json"));
        assertEquals(0, links((String) full.get("sessionId")));
    }

    @Test
    void scopedTokensLinkOnlyTheirPeoplesSessions() {
        String team = Api.team("sess", "UTC");
        String ana = Api.member(team);
        String bo = Api.member(Api.team("sess-other", "UTC"));
        String anasToken = Api.ingestToken(Map.of("user", ana));
        String teamToken = Api.ingestToken(Map.of("team", team));
        String usageOnly = Api.ingestToken(Map.of("kinds", List.of("usage")));

        String s1 = "s-" + Api.unique();
        ingest(anasToken).body(Map.of("sessionId", s1, "repository", "acme/widgets", "branch", "main"))
                .post("/api/v1/sessions").then().statusCode(201);
        String s2 = "s-" + Api.unique();
        ingest(anasToken).body(Map.of("sessionId", s2, "repository", "acme/widgets", "branch", "main", "user", bo))
                .post("/api/v1/sessions").then().statusCode(403)
                .contentType(startsWith("application/problem+json")).body("detail", containsString(ana));
        ingest(teamToken).body(Map.of("sessionId", s2, "repository", "acme/widgets", "branch", "main", "user", bo))
                .post("/api/v1/sessions").then().statusCode(403);
        ingest(teamToken).body(Map.of("sessionId", s2, "repository", "acme/widgets", "branch", "main", "user", ana))
                .post("/api/v1/sessions").then().statusCode(201);
        String s3 = "s-" + Api.unique();
        ingest(usageOnly).body(Map.of("sessionId", s3, "repository", "acme/widgets", "branch", "main"))
                .post("/api/v1/sessions").then().statusCode(403);
        given().contentType("application/json")
                .body(Map.of("sessionId", s3, "repository", "acme/widgets", "branch", "main"))
                .post("/api/v1/sessions").then().statusCode(401);
        assertEquals(1, links(s1));
        assertEquals(1, links(s2));
        assertEquals(0, links(s3));
    }
}
