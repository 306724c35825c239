package dev.yardstick.jobs;

import dev.yardstick.common.AdminOnly;
import dev.yardstick.common.ApiSecurity;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/** {@code GET /api/v1/jobs} (admin): each periodic job's next run, last run, last error and holder. */
@Path("/api/v1/jobs")
@AdminOnly
@SecurityRequirement(name = ApiSecurity.ADMIN)
@Produces(MediaType.APPLICATION_JSON)
public class JobsResource {

    @Inject
    ClusterJobs jobs;

    @GET
    public List<ClusterJobs.State> list() {
        return jobs.states();
    }
}
