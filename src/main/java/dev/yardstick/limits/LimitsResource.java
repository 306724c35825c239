package dev.yardstick.limits;

import dev.yardstick.admin.Team;
import dev.yardstick.common.AdminOnly;
import dev.yardstick.common.ApiSecurity;
import dev.yardstick.common.Problem;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/** {@code GET /api/v1/teams/{key}/limits}: each linked cap, what Yardstick wants and what the vendor reports. */
@Path("/api/v1/teams/{key}/limits")
@AdminOnly
@SecurityRequirement(name = ApiSecurity.ADMIN)
@Produces(MediaType.APPLICATION_JSON)
public class LimitsResource {

    @Inject
    Limits limits;

    @GET
    @Transactional
    public List<Limits.LimitView> get(@PathParam("key") String key) {
        if (Team.live(key).isEmpty()) {
            throw Problem.notFound("No team with key '" + key + "'.");
        }
        return limits.views(key);
    }
}
