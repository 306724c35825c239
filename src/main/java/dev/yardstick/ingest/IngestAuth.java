package dev.yardstick.ingest;

import dev.yardstick.admin.IngestTokens;
import dev.yardstick.common.Bearer;
import dev.yardstick.common.Problem;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.ext.Provider;
import javax.sql.DataSource;

/**
 * Checks the ingest bearer token against the stored hashes on every request, so a revoked token
 * stops working at once on every replica.
 */
@Provider
@IngestOnly
@Priority(Priorities.AUTHENTICATION)
public class IngestAuth implements ContainerRequestFilter {

    @Inject
    DataSource dataSource;

    @Override
    public void filter(ContainerRequestContext request) {
        String token = Bearer.token(request);
        if (token == null || !IngestTokens.isActive(dataSource, token)) {
            request.abortWith(Problem.unauthorized("yardstick-ingest",
                    "A valid ingest token is required: Authorization: Bearer <token>."));
        }
    }
}
