package dev.yardstick.scim;

import static dev.yardstick.Api.admin;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.yardstick.Api;
import dev.yardstick.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.parsing.Parser;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SCIM 2.0 as Okta and Microsoft Entra ID use it: their documented request bodies, sent as they send them (Okta's
 * SCIM 2.0 reference; Entra's "Develop and plan provisioning for a SCIM endpoint"), and what they do to the
 * directory.
 */
@QuarkusTest
class ScimTest {

    static final String TOKEN = "test-scim-token";

    @Inject
    DataSource ds;

    @BeforeAll
    static void scimJsonIsJson() {
        RestAssured.registerParser("application/scim+json", Parser.JSON);
    }

    static RequestSpecification scim() {
        return given().header("Authorization", "Bearer " + TOKEN).contentType("application/scim+json; charset=utf-8")
                .accept("application/scim+json");
    }

    private String left(String email) {
        return Db.string(ds, "select left_at::text from member where email = ?", email);
    }

    private String teamOf(String email) {
        return Db.string(ds, "select team_key from member where email = ?", email);
    }

    /** Okta's "Create users" request (its password and locale are sent too, and ignored). */
    static String oktaUser(String email, String externalId) {
        return """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"%1$s",
                 "name":{"givenName":"Test","familyName":"User"},
                 "emails":[{"primary":true,"value":"%1$s","type":"work"}],
                 "displayName":"Test User","locale":"en-US","externalId":"%2$s","groups":[],
                 "password":"1mz050nq","active":true}
                """.formatted(email, externalId);
    }

    /**
     * Entra's "Create User" request; Entra sends the userPrincipalName as userName, an email address (the tutorial's
     * placeholder is not one, so the address here is).
     */
    static String entraUser(String email, String externalId) {
        return """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User",
                  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
                 "externalId":"%2$s","userName":"%1$s","active":true,
                 "emails":[{"primary":true,"type":"work","value":"%1$s"}],
                 "meta":{"resourceType":"User"},
                 "name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},
                 "roles":[],
                 "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Engineering"}}
                """.formatted(email, externalId);
    }

    static String create(String path, String body) {
        return scim().body(body).post("/scim/v2/" + path).then().statusCode(201)
                .contentType(startsWith("application/scim+json")).extract().path("id");
    }

    static ValidatableResponse patch(String path, String body) {
        return scim().body(body).patch("/scim/v2/" + path).then();
    }

    @Test
    void oktaCreatesFindsAndDeactivatesAUser() {
        String email = "okta-" + Api.unique() + "@example.com";
        var created = scim().body(oktaUser(email.toUpperCase(), "00ujl29u0le5T6Aj10h7")).post("/scim/v2/Users")
                .then().statusCode(201).contentType(startsWith("application/scim+json"))
                .body("schemas", hasItem("urn:ietf:params:scim:schemas:core:2.0:User"))
                .body("userName", equalTo(email)).body("displayName", equalTo("Test User"))
                .body("active", equalTo(true)).body("externalId", equalTo("00ujl29u0le5T6Aj10h7"))
                .body("meta.resourceType", equalTo("User")).extract();
        String id = created.path("id");
        assertEquals(created.header("Location"), created.path("meta.location"));
        assertTrue(created.header("Location").endsWith("/scim/v2/Users/" + id));
        assertEquals("Test User", Db.string(ds, "select display_name from member where email = ?", email));

        // Okta first looks the person up, exactly so
        scim().urlEncodingEnabled(false)
                .get("/scim/v2/Users?filter=userName%20eq%20%22" + email.replace("@", "%40")
                        + "%22&startIndex=1&count=100")
                .then()
                .statusCode(200).body("schemas", hasItem("urn:ietf:params:scim:api:messages:2.0:ListResponse"))
                .body("totalResults", equalTo(1)).body("startIndex", equalTo(1))
                .body("Resources[0].id", equalTo(id));
        scim().queryParam("filter", "userName eq \"nobody-" + Api.unique() + "@example.com\"")
                .queryParam("startIndex", 1).queryParam("count", 100).get("/scim/v2/Users").then().statusCode(200)
                .body("totalResults", equalTo(0)).body("Resources.size()", equalTo(0));
        scim().get("/scim/v2/Users/" + id).then().statusCode(200).body("userName", equalTo(email));

        // a team, then Okta's deactivation
        String team = Api.team("okta", "UTC");
        admin().body(Map.of("displayName", "Test User", "team", team)).put("/api/v1/members/" + email).then()
                .statusCode(200);
        patch("Users/" + id, """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                 "Operations":[{"op":"replace","value":{"active":false}}]}
                """).statusCode(200).body("active", equalTo(false));
        assertNotNull(left(email), "a leaver");
        assertNull(teamOf(email), "no team");
        scim().queryParam("filter", "userName eq \"" + email + "\"").get("/scim/v2/Users").then()
                .body("Resources[0].active", equalTo(false));

        // Okta's reactivation
        patch("Users/" + id, """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                 "Operations":[{"op":"replace","value":{"active":true}}]}
                """).statusCode(200).body("active", equalTo(true));
        assertNull(left(email));

        // Okta's PUT replaces the profile
        scim().body(oktaUser(email, "00ujl29u0le5T6Aj10h7").replace("\"Test User\"", "\"Tess User\""))
                .put("/scim/v2/Users/" + id).then().statusCode(200).body("displayName", equalTo("Tess User"));
        assertEquals("Tess User", Db.string(ds, "select display_name from member where email = ?", email));
    }

    @Test
    void entraCreatesFindsByExternalIdUpdatesAndDisablesWithStringBooleans() {
        String email = "entra-" + Api.unique() + "@testuser.com";
        String externalId = java.util.UUID.randomUUID().toString();
        String id = create("Users", entraUser(email, externalId));
        assertEquals("givenName familyName", Db.string(ds, "select display_name from member where email = ?", email));
        assertEquals(externalId, Db.string(ds, "select scim_external_id from member where email = ?", email));

        scim().queryParam("filter", "externalId eq \"" + externalId + "\"").get("/scim/v2/Users").then()
                .statusCode(200).body("totalResults", equalTo(1)).body("Resources[0].userName", equalTo(email));

        // Entra's "Update User [Multi-valued properties]" and a display name, as Entra capitalises them
        patch("Users/" + id, """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                 "Operations":[
                  {"op":"Replace","path":"emails[type eq \\"work\\"].value","value":"updatedEmail@microsoft.com"},
                  {"op":"Replace","path":"name.familyName","value":"updatedFamilyName"},
                  {"op":"Replace","path":"displayName","value":"Ada Lovelace"},
                  {"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
                   "value":"Research"}]}
                """).statusCode(200).body("displayName", equalTo("Ada Lovelace")).body("userName", equalTo(email));
        assertEquals("Ada Lovelace", Db.string(ds, "select display_name from member where email = ?", email));

        // Entra's "Disable User", with the string boolean Entra sends
        patch("Users/" + id, """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                 "Operations":[{"op":"Replace","path":"active","value":"False"}]}
                """).statusCode(200).body("active", equalTo(false));
        assertNotNull(left(email));
        patch("Users/" + id, """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                 "Operations":[{"op":"Replace","path":"active","value":"True"}]}
                """).statusCode(200).body("active", equalTo(true));
        assertNull(left(email));
        patch("Users/" + id, """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                 "Operations":[{"op":"Replace","path":"active","value":"maybe"}]}
                """).statusCode(400).body("scimType", equalTo("invalidValue"));

        // Entra's "Update User [Single-valued properties]": a new userName is a new email
        String renamed = "entra-" + Api.unique() + "@testuser.com";
        patch("Users/" + id, """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                 "Operations":[{"op":"Replace","path":"userName","value":"%s"}]}
                """.formatted(renamed)).statusCode(200).body("userName", equalTo(renamed));
        assertEquals(id, Db.string(ds, "select scim_id::text from member where email = ?", renamed));
    }

    @Test
    void deletingAUserMakesThemALeaverAndTheirIdIsGone() {
        String email = "gone-" + Api.unique() + "@example.com";
        String id = create("Users", oktaUser(email, "x-" + Api.unique()));
        String team = Api.team("gone", "UTC");
        admin().body(Map.of("team", team)).put("/api/v1/members/" + email).then().statusCode(200);

        scim().delete("/scim/v2/Users/" + id).then().statusCode(204);
        assertNotNull(left(email));
        assertNull(teamOf(email));
        scim().get("/scim/v2/Users/" + id).then().statusCode(404).contentType(startsWith("application/scim+json"))
                .body("schemas", hasItem("urn:ietf:params:scim:api:messages:2.0:Error"))
                .body("status", equalTo("404"));
        // the person is still found by userName, under a new id, inactive; creating them again brings them back
        String again = scim().queryParam("filter", "userName eq \"" + email + "\"").get("/scim/v2/Users").then()
                .body("totalResults", equalTo(1)).body("Resources[0].active", equalTo(false))
                .extract().path("Resources[0].id");
        assertNotEquals(id, again);
        assertEquals(again, create("Users", oktaUser(email, "x")));
        assertNull(left(email));
    }

    @Test
    void groupsAreTeams() {
        String suffix = Api.unique();
        String a = "ga-" + suffix + "@example.com";
        String b = "gb-" + suffix + "@example.com";
        String aId = create("Users", oktaUser(a, "a"));
        String bId = create("Users", entraUser(b, "b"));

        // Entra's "Create Group", with its own schema and an externalId kept as given
        String displayName = "Platform & Data " + suffix;
        var group = scim().body("""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group",
                  "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
                 "externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","displayName":"%s",
                 "meta":{"resourceType":"Group"}}
                """.formatted(displayName)).post("/scim/v2/Groups").then().statusCode(201)
                .body("displayName", equalTo(displayName))
                .body("externalId", equalTo("8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159"))
                .body("meta.resourceType", equalTo("Group")).extract();
        String gid = group.path("id");
        String key = "platform-data-" + suffix;
        admin().get("/api/v1/teams/" + key).then().statusCode(200).body("name", equalTo(displayName));

        // Okta's "Add members"
        patch("Groups/" + gid, """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                 "Operations":[{"op":"add","path":"members","value":[{"value":"%s","display":"%s"}]}]}
                """.formatted(aId, a)).statusCode(200).body("members.value", hasItem(aId));
        assertEquals(key, teamOf(a));
        // Entra's "Add Member", with the operation's name and the member's displayName Entra adds
        patch("Groups/" + gid, """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                 "Operations":[{"name":"addMember","op":"Add","path":"members",
                  "value":[{"displayName":"new member","value":"%s"}]}]}
                """.formatted(bId)).statusCode(200).body("members.value", hasItems(aId, bId));
        assertEquals(key, teamOf(b));
        scim().get("/scim/v2/Users/" + aId).then().body("groups[0].value", equalTo(gid))
                .body("groups[0].display", equalTo(displayName));

        // Entra's group lookup leaves the members out
        scim().queryParam("excludedAttributes", "members").queryParam("filter", "displayName eq \"" + displayName
                + "\"").get("/scim/v2/Groups").then().statusCode(200).body("totalResults", equalTo(1))
                .body("Resources[0].id", equalTo(gid)).body("Resources[0].members", nullValue());
        scim().queryParam("excludedAttributes", "members").get("/scim/v2/Groups/" + gid).then().statusCode(200)
                .body("members", nullValue()).body("displayName", equalTo(displayName));

        // Okta's "Remove members" (a value filter), then Entra's (the member as the value)
        patch("Groups/" + gid, """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                 "Operations":[{"op":"remove","path":"members[value eq \\"%s\\"]"}]}
                """.formatted(aId)).statusCode(200);
        assertNull(teamOf(a));
        assertNull(left(a), "out of the group is not a leaver");
        assertEquals(key, teamOf(b));
        patch("Groups/" + gid, """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                 "Operations":[{"op":"add","path":"members","value":[{"value":"%s"}]}]}
                """.formatted(aId)).statusCode(200);
        patch("Groups/" + gid, """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                 "Operations":[{"name":"removeMember","op":"Remove","path":"members","value":[{"value":"%s"}]}]}
                """.formatted(bId)).statusCode(200).body("members.value", equalTo(java.util.List.of(aId)));
        assertNull(teamOf(b));
        assertEquals(key, teamOf(a), "only the member named is removed");

        // Okta's rename: the team's name changes, its key and the group's id stay
        patch("Groups/" + gid, """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                 "Operations":[{"op":"replace","value":{"id":"%s","displayName":"Platform %s"}}]}
                """.formatted(gid, suffix)).statusCode(200).body("id", equalTo(gid))
                .body("displayName", equalTo("Platform " + suffix));
        admin().get("/api/v1/teams/" + key).then().statusCode(200).body("name", equalTo("Platform " + suffix));

        // PUT replaces the members
        scim().body("""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Platform %s",
                 "members":[{"value":"%s"}]}
                """.formatted(suffix, aId)).put("/scim/v2/Groups/" + gid).then().statusCode(200)
                .body("members.size()", equalTo(1)).body("externalId", nullValue());
        assertEquals(key, teamOf(a));

        // the same name again: another team, the key made unique
        String second = create("Groups", """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"%s","members":[]}
                """.formatted(displayName));
        assertEquals(key + "-2", Db.string(ds, "select key from team where scim_id = ?::uuid", second));
        String reserved = create("Groups", """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Unassigned","members":[]}
                """);
        assertTrue(Db.string(ds, "select key from team where scim_id = ?::uuid", reserved).startsWith("unassigned-"));

        // an unknown member is refused, and nothing changes
        patch("Groups/" + gid, """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                 "Operations":[{"op":"add","path":"members","value":[{"value":"%s"}]}]}
                """.formatted(java.util.UUID.randomUUID())).statusCode(400).body("scimType", equalTo("invalidValue"));
        assertEquals(key, teamOf(a));

        // DELETE: the team is deleted, its members have no team (and have not left)
        scim().delete("/scim/v2/Groups/" + gid).then().statusCode(204);
        admin().get("/api/v1/teams/" + key).then().statusCode(404);
        assertNull(teamOf(a));
        assertNull(left(a));
        scim().get("/scim/v2/Groups/" + gid).then().statusCode(404).body("status", equalTo("404"));

        // the team's audit shows what SCIM did to it, newest first: deleted, renamed, created
        admin().get("/api/v1/teams/" + key + "/audit").then().statusCode(200)
                .body("by", hasItems("scim")).body("via[0]", equalTo("scim"))
                .body("[0].changes.find { it.field == 'status' }.to", equalTo("deleted"))
                .body("changes.flatten().findAll { it.field == 'name' }.to",
                        hasItems("Platform " + suffix, displayName))
                .body("[-1].changes.find { it.field == 'status' }.to", equalTo("active"));
    }

    @Test
    void errorsAreScimErrors() {
        given().header("Authorization", "Bearer wrong").get("/scim/v2/Users").then().statusCode(401)
                .contentType(startsWith("application/scim+json"))
                .body("schemas", hasItem("urn:ietf:params:scim:api:messages:2.0:Error"))
                .body("status", equalTo("401"));
        given().get("/scim/v2/Groups").then().statusCode(401).body("status", equalTo("401"));
        given().header("Authorization", "Bearer " + Api.ADMIN_TOKEN).get("/scim/v2/Users").then().statusCode(401);

        scim().queryParam("filter", "userName eq").get("/scim/v2/Users").then().statusCode(400)
                .contentType(startsWith("application/scim+json"))
                .body("schemas", hasItem("urn:ietf:params:scim:api:messages:2.0:Error"))
                .body("status", equalTo("400")).body("scimType", equalTo("invalidFilter"));
        scim().queryParam("filter", "userName co \"a\"").get("/scim/v2/Users").then().statusCode(400)
                .body("scimType", equalTo("invalidFilter"));
        scim().queryParam("filter", "members eq \"a\"").get("/scim/v2/Groups").then().statusCode(400)
                .body("scimType", equalTo("invalidFilter"));

        String email = "dup-" + Api.unique() + "@example.com";
        create("Users", oktaUser(email, "d"));
        scim().body(oktaUser(email, "d")).post("/scim/v2/Users").then().statusCode(409)
                .body("status", equalTo("409")).body("scimType", equalTo("uniqueness"));
        scim().body(oktaUser("not-an-email", "d")).post("/scim/v2/Users").then().statusCode(400)
                .body("scimType", equalTo("invalidValue"));
        scim().body("{not json").post("/scim/v2/Users").then().statusCode(400)
                .body("scimType", equalTo("invalidSyntax"));
        patch("Users/" + java.util.UUID.randomUUID(), """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                 "Operations":[{"op":"replace","value":{"active":false}}]}
                """).statusCode(404).body("schemas", hasItem("urn:ietf:params:scim:api:messages:2.0:Error"));
        scim().get("/scim/v2/Users/not-a-uuid").then().statusCode(404).body("status", equalTo("404"));
        scim().contentType("application/json").body("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],"
                + "\"Operations\":[{\"op\":\"move\",\"path\":\"active\"}]}")
                .patch("/scim/v2/Users/" + java.util.UUID.randomUUID()).then().statusCode(400)
                .body("scimType", equalTo("invalidSyntax"));
    }

    @Test
    void discoveryEndpointsDescribeWhatIsSupported() {
        scim().get("/scim/v2/ServiceProviderConfig").then().statusCode(200)
                .contentType(startsWith("application/scim+json"))
                .body("schemas", hasItem("urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"))
                .body("patch.supported", equalTo(true)).body("bulk.supported", equalTo(false))
                .body("filter.supported", equalTo(true)).body("filter.maxResults", equalTo(200))
                .body("changePassword.supported", equalTo(false)).body("sort.supported", equalTo(false))
                .body("etag.supported", equalTo(false))
                .body("authenticationSchemes[0].type", equalTo("oauthbearertoken"));
        scim().get("/scim/v2/ResourceTypes").then().statusCode(200).body("totalResults", equalTo(2))
                .body("Resources.name", hasItems("User", "Group"))
                .body("Resources.endpoint", hasItems("/Users", "/Groups"));
        scim().get("/scim/v2/ResourceTypes/Group").then().statusCode(200)
                .body("schema", equalTo("urn:ietf:params:scim:schemas:core:2.0:Group"));
        scim().get("/scim/v2/Schemas").then().statusCode(200).body("totalResults", equalTo(2))
                .body("Resources.id", hasItems("urn:ietf:params:scim:schemas:core:2.0:User",
                        "urn:ietf:params:scim:schemas:core:2.0:Group"));
        scim().get("/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User").then().statusCode(200)
                .body("attributes.name", hasItems("userName", "displayName", "active"));
    }
}
