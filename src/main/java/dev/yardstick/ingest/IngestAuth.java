package dev.yardstick.ingest;

import dev.yardstick.admin.IngestScope;
import dev.yardstick.admin.IngestTokens;
import dev.yardstick.common.Bearer;
import dev.yardstick.common.Problem;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Checks the ingest bearer token against the stored hashes on every request, so a revoked token
 * stops working at once on every replica; then that its scope allows the endpoint's {@link IngestKind} (403
 * otherwise), and hands the scope to the endpoint ({@link IngestCaller}), which judges each event by it.
 */
@Provider
@IngestOnly
@Priority(Priorities.AUTHENTICATION)
public class IngestAuth implements ContainerRequestFilter {

    @Inject
    DataSource dataSource;
    @Inject
    IngestCaller caller;
    @Context
    ResourceInfo resource;

    @Override
    public void filter(ContainerRequestContext request) {
        String token = Bearer.token(request);
        Optional<IngestScope> scope = token == null ? Optional.empty() : IngestTokens.scope(dataSource, token);
        if (scope.isEmpty()) {
            request.abortWith(Problem.unauthorized("yardstick-ingest",
                    "A valid ingest token is required: Authorization: Bearer <token>."));
            return;
        }
        String kind = kind();
        if (kind == null ? !scope.get().unscoped() : !scope.get().allows(kind)) {
            request.abortWith(Problem.response(Response.Status.FORBIDDEN, "This ingest token may not send "
                    + (kind == null ? "here" : kind + " events") + ": its scope allows "
                    + IngestScope.words(scope.get().kinds()) + " only."));
            return;
        }
        caller.set(scope.get());
    }

    private String kind() {
        IngestKind k = resource.getResourceMethod() == null
                ? null
                : resource.getResourceMethod().getAnnotation(IngestKind.class);
        if (k == null && resource.getResourceClass() != null) {
            k = resource.getResourceClass().getAnnotation(IngestKind.class);
        }
        return k == null ? null : k.value();
    }
}
