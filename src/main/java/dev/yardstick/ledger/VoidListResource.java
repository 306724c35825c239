package dev.yardstick.ledger;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.yardstick.common.AdminOnly;
import dev.yardstick.common.ApiSecurity;
import dev.yardstick.common.Problem;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/** {@code GET /api/v1/voids?limit=100} (admin): the voids, newest first. */
@Path("/api/v1/voids")
@AdminOnly
@SecurityRequirement(name = ApiSecurity.ADMIN)
@Produces(MediaType.APPLICATION_JSON)
public class VoidListResource {

    /** The most voids one call lists. */
    static final int MAX_LIMIT = 1000;

    /**
     * What a void selected: {@code ids} (how many ids it was given), or {@code user}, {@code from}, {@code to} and
     * {@code tool}.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Selector(Integer ids, String user, Instant from, Instant to, String tool) {
    }

    /**
     * A void as listed.
     *
     * @param kind    {@code usage} or {@code outcome}
     * @param by      who voided ({@code admin}: the admin token)
     * @param at      when
     * @param events  how many events it voided
     * @param costUsd usage only: their cost, as a decimal string
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record VoidView(long id, String kind, String by, Instant at, String reason, Selector selector, int events,
            String costUsd) {
    }

    @Inject
    VoidRecords voids;

    @GET
    public List<VoidView> list(@QueryParam("limit") String limit) {
        int n = 100;
        if (limit != null) {
            try {
                n = Integer.parseInt(limit);
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 1 || n > MAX_LIMIT) {
                throw Problem.badRequest("'limit' must be a whole number from 1 to " + MAX_LIMIT + ".");
            }
        }
        return voids.latest(n).stream().map(v -> new VoidView(v.id(), v.kind(), v.by(), v.at(), v.reason(),
                v.selector().member() == null
                        ? new Selector(v.idCount(), null, null, null, null)
                        : new Selector(null, v.selector().member(), v.selector().from(), v.selector().to(),
                                v.selector().tool()),
                v.events(), VoidResource.usd(v.costUsd()))).toList();
    }
}
