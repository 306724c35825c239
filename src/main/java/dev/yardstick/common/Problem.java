package dev.yardstick.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * An RFC 9457 problem detail, the body of every error response ({@code application/problem+json}).
 *
 * @param type   a URI naming the kind of problem ({@code about:blank} for plain HTTP statuses)
 * @param title  a short summary of the status
 * @param status the HTTP status
 * @param detail a sentence a person understands; never an exception message or class name
 * @param errors field-level errors, when there are several
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, List<String> errors) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The media type of problem responses. */
    public static final String MEDIA_TYPE = "application/problem+json";

    /** A problem response with the standard title of the status. */
    public static Response response(Response.Status status, String detail) {
        return response(status.getStatusCode(), status.getReasonPhrase(), detail, null);
    }

    /** A problem response with a custom status code and title. */
    public static Response response(int status, String title, String detail, List<String> errors) {
        return Response.status(status)
                .type(MEDIA_TYPE)
                .entity(new Problem("about:blank", title, status, detail, errors))
                .build();
    }

    /** 401 with the given detail and a {@code WWW-Authenticate: Bearer} challenge for the realm. */
    public static Response unauthorized(String realm, String detail) {
        return Response.fromResponse(response(Response.Status.UNAUTHORIZED, detail))
                .header("WWW-Authenticate", "Bearer realm=\"" + realm + "\"").build();
    }

    /** The JSON body of a problem, for places outside JAX-RS (servlets, Vert.x routes). */
    public static String json(int status, String title, String detail) {
        try {
            return JSON.writeValueAsString(new Problem("about:blank", title, status, detail, null));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An exception that ends the request with a problem response. */
    public static WebApplicationException exception(Response.Status status, String detail) {
        return new WebApplicationException(detail, response(status, detail));
    }

    /** 400 with the given detail. */
    public static WebApplicationException badRequest(String detail) {
        return exception(Response.Status.BAD_REQUEST, detail);
    }

    /** 404 with the given detail. */
    public static WebApplicationException notFound(String detail) {
        return exception(Response.Status.NOT_FOUND, detail);
    }
}
