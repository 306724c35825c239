package dev.yardstick.admin;

import dev.yardstick.common.AdminOnly;
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
import java.util.List;

/** Admin API for ingest tokens: {@code /api/v1/ingest-tokens}. */
@Path("/api/v1/ingest-tokens")
@AdminOnly
@Produces(MediaType.APPLICATION_JSON)
public class IngestTokenResource {

    /** Body of {@code POST /api/v1/ingest-tokens}. */
    public record CreateRequest(@NotBlank @Size(max = 200) String name) {
    }

    /** The answer to a creation: the only time the secret is shown. */
    public record Created(long id, String name, String token, Instant createdAt) {
    }

    /** A token as listed: no secret. */
    public record TokenView(long id, String name, Instant createdAt, Instant revokedAt, boolean active) {
    }

    @POST
    @Transactional
    public Response create(@NotNull(message = "a JSON body is required") @Valid CreateRequest body) {
        String secret = IngestTokens.newSecret();
        IngestToken token = new IngestToken();
        token.name = body.name().trim();
        token.tokenHash = IngestTokens.hash(secret);
        token.createdAt = Instant.now();
        token.persist();
        return Response.status(Response.Status.CREATED)
                .entity(new Created(token.id, token.name, secret, token.createdAt)).build();
    }

    @GET
    public List<TokenView> list() {
        return IngestToken.<IngestToken>listAll(io.quarkus.panache.common.Sort.by("id")).stream()
                .map(t -> new TokenView(t.id, t.name, t.createdAt, t.revokedAt, t.revokedAt == null))
                .toList();
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
