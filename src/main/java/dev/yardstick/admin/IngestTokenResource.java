package dev.yardstick.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.yardstick.common.AdminOnly;
import dev.yardstick.common.ApiSecurity;
import dev.yardstick.common.Problem;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/**
 * Admin API for ingest tokens: {@code /api/v1/ingest-tokens}. A token may have a scope ({@link IngestScope}): the
 * kinds of endpoint it may call and whose events it may send.
 */
@Path("/api/v1/ingest-tokens")
@AdminOnly
@SecurityRequirement(name = ApiSecurity.ADMIN)
@Produces(MediaType.APPLICATION_JSON)
public class IngestTokenResource {

    /** Body of {@code POST /api/v1/ingest-tokens}; without a scope the token may send everything. */
    public record CreateRequest(@NotBlank @Size(max = 200) String name, ScopeRequest scope) {
    }

    /**
     * What a new token may send: any of these (at least one). {@code kinds} omitted: every kind; {@code team} and
     * {@code user} together are refused as ambiguous.
     */
    public record ScopeRequest(List<String> kinds, String team, String user) {
    }

    /** A token's scope as the API shows it: the kinds always, {@code team} or {@code user} when set. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ScopeView(List<String> kinds, String team, String user) {
    }

    /** The answer to a creation: the only time the secret is shown. {@code scope} null: unscoped. */
    public record Created(long id, String name, String token, ScopeView scope, Instant createdAt) {
    }

    /**
     * A token as listed: no secret.
     *
     * @param scope     null for an unscoped token
     * @param issuedVia {@code api}, or {@code chat} for a person's own token from {@code ai-spend connect}
     */
    public record TokenView(long id, String name, ScopeView scope, String issuedVia, Instant createdAt,
            Instant revokedAt, boolean active) {
    }

    @POST
    @Transactional
    public Response create(@NotNull(message = "a JSON body is required") @Valid CreateRequest body) {
        IngestScope scope = body.scope() == null ? IngestScope.UNSCOPED : scope(body.scope());
        String secret = IngestTokens.newSecret();
        IngestToken token = new IngestToken();
        token.name = body.name().trim();
        token.tokenHash = IngestTokens.hash(secret);
        token.createdAt = Instant.now();
        token.scopeKinds = scope.storedKinds();
        token.scopeTeam = scope.team();
        token.scopeUser = scope.user();
        token.issuedVia = "api";
        token.persist();
        return Response.status(Response.Status.CREATED)
                .entity(new Created(token.id, token.name, secret, view(scope), token.createdAt)).build();
    }

    @GET
    public List<TokenView> list() {
        return IngestToken.<IngestToken>listAll(io.quarkus.panache.common.Sort.by("id")).stream()
                .map(t -> new TokenView(t.id, t.name, view(t.scope()), t.issuedVia, t.createdAt, t.revokedAt,
                        t.revokedAt == null))
                .toList();
    }

    /** A requested scope, checked: known kinds, an existing team, a valid email; team or user, not both. */
    private static IngestScope scope(ScopeRequest s) {
        if (s.kinds() == null && s.team() == null && s.user() == null) {
            throw Problem.badRequest("scope must have kinds, team or user; leave scope out for a token that may "
                    + "send everything.");
        }
        if (s.team() != null && s.user() != null) {
            throw Problem.badRequest("scope takes team or user, not both: a person's token already sends only "
                    + "that person's events.");
        }
        Set<String> kinds = new HashSet<>(IngestScope.KINDS);
        if (s.kinds() != null) {
            if (s.kinds().isEmpty()) {
                throw Problem.badRequest("scope.kinds must not be empty; leave it out for every kind.");
            }
            for (String k : s.kinds()) {
                if (k == null || !IngestScope.KINDS.contains(k)) {
                    throw Problem.badRequest("scope.kinds may hold only " + String.join(", ", IngestScope.KINDS)
                            + ".");
                }
            }
            kinds = new HashSet<>(s.kinds());
        }
        String team = null;
        if (s.team() != null) {
            team = s.team().trim();
            if (Team.UNASSIGNED.equals(team) || Team.findById(team) == null) {
                throw Problem.badRequest("scope.team must be the key of an existing team.");
            }
        }
        String user = null;
        if (s.user() != null) {
            user = s.user().trim().toLowerCase(Locale.ROOT);
            if (!Emails.isValid(user)) {
                throw Problem.badRequest("scope.user must be an email address.");
            }
        }
        return new IngestScope(kinds, team, user);
    }

    private static ScopeView view(IngestScope scope) {
        return scope.unscoped() ? null : new ScopeView(scope.kindList(), scope.team(), scope.user());
    }

    @DELETE
    @Path("/{id}")
    @Transactional
    public Response revoke(@PathParam("id") long id) {
        IngestToken token = IngestToken.findById(id);
        if (token == null) {
            throw Problem.notFound("No ingest token with id " + id + ".");
        }
        if (token.revokedAt == null) {
            token.revokedAt = Instant.now();
        }
        return Response.noContent().build();
    }
}
