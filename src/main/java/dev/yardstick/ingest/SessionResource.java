package dev.yardstick.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.yardstick.admin.IngestScope;
import dev.yardstick.common.Problem;
import dev.yardstick.ledger.SessionLinks;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code POST /api/v1/sessions}: where a coding session worked, {@code {"sessionId", "repository": "owner/name",
 * "branch", "headSha"?, "user"?}}, as the Claude Code session-start hook (docs/hooks) sends it. 201 when the link is
 * new, 200 when the session was linked to that repository and branch before; a session may be linked to several
 * branches. A token scoped to a person or a team may link only that person's (or that team's members') sessions: a
 * {@code user} outside its scope is 403; a person's token without {@code user} links the person's own.
 */
@Path("/api/v1/sessions")
@IngestOnly
@IngestKind(IngestScope.SESSIONS)
@Produces(MediaType.APPLICATION_JSON)
public class SessionResource {

    /** The answer: the link as stored, and whether it was new. */
    public record Linked(String sessionId, String repository, String branch, boolean created) {
    }

    private static final Set<String> FIELDS = Set.of("sessionId", "repository", "branch", "headSha", "user");
    private static final Pattern SHA = Pattern.compile("[0-9a-fA-F]{7,64}");

    @Inject
    SessionLinks links;
    @Inject
    IngestCaller caller;
    @Inject
    ObjectMapper mapper;
    @Inject
    MeterRegistry registry;

    @POST
    public Response link(byte[] body) {
        JsonNode node;
        try {
            node = body == null || body.length == 0 ? null : mapper.readTree(body);
        } catch (IOException e) {
            throw Problem.badRequest("The body must be a JSON object: {\"sessionId\", \"repository\", \"branch\"}.");
        }
        String sessionId, repository, branch, headSha, user;
        try {
            EventFields f = new EventFields(node, FIELDS);
            sessionId = f.string("sessionId", 200, true);
            repository = repository(f.string("repository", 200, true));
            branch = f.string("branch", 255, true);
            headSha = f.string("headSha", 64, false);
            user = f.email("user", false);
        } catch (EventFields.Invalid e) {
            throw Problem.badRequest(e.getMessage() + ".");
        }
        if (!SessionLinks.REPOSITORY.matcher(repository).matches()) {
            throw Problem.badRequest("repository must be owner/name, as on GitHub (acme/widgets).");
        }
        if (headSha != null && !SHA.matcher(headSha).matches()) {
            throw Problem.badRequest("headSha must be a commit hash (7 to 64 hexadecimal digits).");
        }
        IngestScope scope = caller.scope();
        if (user == null && scope.user() != null) {
            user = scope.user();
        }
        String refusal = caller.gate(user == null ? java.util.List.of() : java.util.List.of(user)).refusal(user, null);
        if (refusal != null) {
            throw Problem.exception(Response.Status.FORBIDDEN, "This session cannot be linked with this token: "
                    + refusal + ".");
        }
        boolean created = links.link(sessionId, repository, branch, headSha);
        registry.counter("yardstick.sessions.links", "result", created ? "created" : "existing").increment();
        return Response.status(created ? Response.Status.CREATED : Response.Status.OK)
                .entity(new Linked(sessionId, repository, branch, created)).build();
    }

    /** {@code owner/name} from what a client sent: lower-case, without a trailing {@code .git}. */
    private static String repository(String raw) {
        String r = raw.trim().toLowerCase(Locale.ROOT);
        return r.endsWith(".git") ? r.substring(0, r.length() - 4) : r;
    }
}
