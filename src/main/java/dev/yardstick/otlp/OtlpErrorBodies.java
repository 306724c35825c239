package dev.yardstick.otlp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.CodedOutputStream;
import dev.yardstick.common.Problem;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Every error of an OTLP endpoint (400, 401, 413, 415, 503...) as OTLP/HTTP specifies: a
 * {@code google.rpc.Status} (code and message) in the request's encoding, protobuf for
 * {@code application/x-protobuf} (and any content type that is neither), JSON for
 * {@code application/json}. Headers such as {@code Retry-After} and {@code WWW-Authenticate} stay.
 */
@Provider
@OtlpEndpoint
@Priority(Priorities.ENTITY_CODER)
public class OtlpErrorBodies implements ContainerResponseFilter {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        int status = response.getStatus();
        if (status < 400) {
            return;
        }
        String message = response.getEntity() instanceof Problem p && p.detail() != null
                ? p.detail()
                : reason(status);
        boolean json = isJson(request.getHeaderString(HttpHeaders.CONTENT_TYPE));
        response.getHeaders().remove(HttpHeaders.CONTENT_TYPE);
        if (json) {
            response.setEntity(statusJson(grpcCode(status), message), null, MediaType.APPLICATION_JSON_TYPE);
        } else {
            response.setEntity(statusProtobuf(grpcCode(status), message), null,
                    MediaType.valueOf(OtlpBody.Encoding.PROTOBUF.mediaType));
        }
    }

    private static boolean isJson(String contentType) {
        return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/json");
    }

    private static String reason(int status) {
        Response.Status.Family family = Response.Status.Family.familyOf(status);
        Response.StatusType type = Response.Status.fromStatusCode(status);
        return type != null
                ? type.getReasonPhrase()
                : family == Response.Status.Family.CLIENT_ERROR ? "Bad request" : "Server error";
    }

    /** The gRPC status code closest to an HTTP status (google.rpc.Code). */
    static int grpcCode(int httpStatus) {
        return switch (httpStatus) {
            case 400, 413, 415 -> 3; // INVALID_ARGUMENT
            case 401 -> 16; // UNAUTHENTICATED
            case 403 -> 7; // PERMISSION_DENIED
            case 404, 405 -> 12; // UNIMPLEMENTED
            case 429 -> 8; // RESOURCE_EXHAUSTED
            case 502, 503, 504 -> 14; // UNAVAILABLE
            default -> httpStatus < 500 ? 9 : 13; // FAILED_PRECONDITION, INTERNAL
        };
    }

    /** {@code google.rpc.Status{code = 1; message = 2}} in protobuf's binary encoding. */
    static byte[] statusProtobuf(int code, String message) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            CodedOutputStream coded = CodedOutputStream.newInstance(out);
            coded.writeInt32(1, code);
            coded.writeString(2, message);
            coded.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code google.rpc.Status} in protobuf's JSON mapping. */
    static String statusJson(int code, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", code);
        body.put("message", message);
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
