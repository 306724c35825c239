package dev.yardstick.common;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.util.List;
import java.util.Map;

/**
 * Answers 400 when a path parameter holds a control character (NUL included, which PostgreSQL
 * cannot store or compare) or an invalid UTF-8 sequence, before any resource looks it up. Runs
 * after the token filters, so an unauthenticated request still gets its 401.
 */
@Provider
@Priority(Priorities.USER)
public class PathParameters implements ContainerRequestFilter {

    @Override
    public void filter(ContainerRequestContext request) {
        for (Map.Entry<String, List<String>> p : request.getUriInfo().getPathParameters(true).entrySet()) {
            for (String value : p.getValue()) {
                if (!isClean(value)) {
                    request.abortWith(Problem.response(Response.Status.BAD_REQUEST, "The path parameter '"
                            + p.getKey() + "' contains a control character or invalid UTF-8."));
                    return;
                }
            }
        }
    }

    /** Whether the text has no control character, no U+FFFD (what invalid UTF-8 decodes to) and no lone surrogate. */
    static boolean isClean(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) || c == '\uFFFD') {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
