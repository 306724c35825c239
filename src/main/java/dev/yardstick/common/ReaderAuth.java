package dev.yardstick.common;

import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.ext.Provider;

/** Requires the admin token or {@code YARDSTICK_READER_TOKEN} on {@link AdminOrReader} resources. */
@Provider
@AdminOrReader
@Priority(Priorities.AUTHENTICATION)
public class ReaderAuth implements ContainerRequestFilter {

    @Inject
    AdminToken adminToken;
    @Inject
    ReaderToken readerToken;

    @Override
    public void filter(ContainerRequestContext request) {
        String presented = Bearer.token(request);
        if (!readerToken.matches(presented) && !adminToken.matches(presented)) {
            request.abortWith(Problem.unauthorized("yardstick-admin",
                    "A valid admin or reader bearer token is required."));
        }
    }
}
