package dev.yardstick.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns every failure into {@code application/problem+json}. Client errors say what was wrong in
 * words; server errors say only that something failed, with a reference that is also logged.
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        Response r = e.getResponse();
        if (r != null && r.hasEntity() && r.getEntity() instanceof Problem) {
            return r;
        }
        int status = r == null ? 500 : r.getStatus();
        Response.StatusType type = Response.Status.fromStatusCode(status);
        String title = type == null ? "Error" : type.getReasonPhrase();
        String detail = switch (status) {
            case 401 -> "A valid bearer token is required.";
            case 404 -> "No such resource.";
            case 405 -> "This method is not allowed here.";
            case 406 -> "This resource answers in JSON.";
            case 413 -> "The request body is too large.";
            case 415 -> "Unsupported content type; send application/json.";
            default -> title;
        };
        return Problem.response(status, title, detail, null);
    }

    @ServerExceptionMapper
    public Response unrecognizedField(UnrecognizedPropertyException e) {
        return Problem.response(Response.Status.BAD_REQUEST,
                "Unknown field '" + e.getPropertyName() + "'.");
    }

    @ServerExceptionMapper
    public Response invalidFormat(InvalidFormatException e) {
        return Problem.response(Response.Status.BAD_REQUEST,
                "Field '" + path(e) + "' has an invalid value.");
    }

    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e) {
        String path = path(e);
        return Problem.response(Response.Status.BAD_REQUEST, path.isEmpty()
                ? "The request body does not have the expected shape."
                : "Field '" + path + "' has the wrong type.");
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e) {
        return Problem.response(Response.Status.BAD_REQUEST, "The request body is not valid JSON.");
    }

    @ServerExceptionMapper
    public Response constraintViolation(ConstraintViolationException e) {
        List<String> errors = e.getConstraintViolations().stream()
                .map(v -> lastNode(v.getPropertyPath().toString()) + " " + v.getMessage())
                .sorted()
                .collect(Collectors.toList());
        return Problem.response(400, "Bad Request", String.join("; ", errors), errors);
    }

    /**
     * A failure nothing above maps. When the database is unreachable (see {@link DatabaseOutage}) the
     * client may retry: 503 with {@code Retry-After}. Anything else is a 500 with a logged reference.
     */
    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        if (DatabaseOutage.causedBy(e)) {
            return DatabaseOutage.response(e);
        }
        String ref = UUID.randomUUID().toString();
        LOG.errorf(e, "Unexpected error, reference %s", ref);
        return Problem.response(500, "Internal Server Error",
                "Something went wrong on our side; reference " + ref + ".", null);
    }

    private static String path(MismatchedInputException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    private static String lastNode(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? path : path.substring(dot + 1);
    }
}
