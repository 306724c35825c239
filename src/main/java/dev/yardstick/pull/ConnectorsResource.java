package dev.yardstick.pull;

import dev.yardstick.common.AdminOnly;
import dev.yardstick.common.ApiSecurity;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/** {@code GET /api/v1/connectors} (admin): each vendor usage puller, whether it is on, its cursor and last run. */
@Path("/api/v1/connectors")
@AdminOnly
@SecurityRequirement(name = ApiSecurity.ADMIN)
@Produces(MediaType.APPLICATION_JSON)
public class ConnectorsResource {

    @Inject
    Connectors connectors;

    @GET
    public List<Connectors.State> list() {
        return connectors.states();
    }
}
