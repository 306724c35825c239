package dev.yardstick.scim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.unboundid.scim2.common.exceptions.BadRequestException;
import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.messages.ErrorResponse;
import com.unboundid.scim2.common.messages.PatchRequest;
import com.unboundid.scim2.common.utils.JsonUtils;
import dev.yardstick.admin.Provisioning;
import dev.yardstick.common.DatabaseOutage;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * SCIM's JSON: bodies read and written with the SCIM SDK's own mapper (not the application's, whose settings are
 * for the rest of the API), responses as {@code application/scim+json}, and every failure in SCIM's error shape
 * (RFC 7644 §3.12) instead of problem+json.
 */
final class ScimJson {

    /** The media type of every SCIM response. */
    static final String MEDIA_TYPE = "application/scim+json";

    static final ObjectMapper MAPPER = JsonUtils.createObjectMapper();

    private static final Logger LOG = Logger.getLogger(ScimJson.class);

    private ScimJson() {
    }

    /** A failure to answer with a SCIM error. */
    static final class Failure extends RuntimeException {

        final transient ErrorResponse error;

        Failure(ScimException e) {
            super(e.getMessage(), null, false, false);
            this.error = e.getScimError();
        }

        Failure(int status, String scimType, String detail) {
            super(detail, null, false, false);
            this.error = new ErrorResponse(status);
            error.setScimType(scimType);
            error.setDetail(detail);
        }
    }

    static Failure invalidValue(String detail) {
        return new Failure(400, BadRequestException.INVALID_VALUE, detail);
    }

    /** A response with {@code body} as SCIM JSON. */
    static Response ok(int status, Object body) {
        try {
            return Response.status(status).type(MEDIA_TYPE).entity(MAPPER.writeValueAsString(body)).build();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A SCIM error response. */
    static Response error(int status, String scimType, String detail) {
        ErrorResponse error = new ErrorResponse(status);
        error.setScimType(scimType);
        error.setDetail(detail);
        return ok(status, error);
    }

    /** The body as a JSON object; 400 invalidSyntax when it is not one. */
    static ObjectNode object(String body) {
        JsonNode node;
        try {
            node = body == null || body.isBlank() ? null : MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new Failure(400, BadRequestException.INVALID_SYNTAX, "The request body is not valid JSON.");
        }
        if (!(node instanceof ObjectNode object)) {
            throw new Failure(400, BadRequestException.INVALID_SYNTAX, "The request body must be a JSON object.");
        }
        return object;
    }

    /** The body read as {@code type}; 400 invalidSyntax when it does not have its shape. */
    static <T> T read(ObjectNode body, Class<T> type) {
        try {
            return MAPPER.treeToValue(body, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new Failure(400, BadRequestException.INVALID_SYNTAX,
                    "The request body is not a valid " + type.getSimpleName() + ": " + firstLine(e.getMessage()));
        }
    }

    /**
     * A PATCH body (RFC 7644 §3.5.2) as the SDK reads it, after undoing what Microsoft Entra ID sends beyond the RFC:
     * fields of an operation other than {@code op}, {@code path} and {@code value} (Entra's {@code "name":
     * "addMember"}) are dropped, and a {@code Remove} of {@code "path": "members"} with the members to remove as
     * its value becomes {@code members[value eq "…" or …]} (as sent, the SDK would remove every member). The SDK takes
     * {@code op} in any case ({@code "Replace"}).
     */
    static PatchRequest patch(String body) {
        ObjectNode request = object(body);
        JsonNode operations = field(request, "Operations");
        if (operations != null && operations.isArray()) {
            for (JsonNode op : operations) {
                if (op instanceof ObjectNode o) {
                    normalise(o);
                }
            }
        }
        return read(request, PatchRequest.class);
    }

    private static void normalise(ObjectNode op) {
        JsonNode kind = field(op, "op");
        JsonNode path = field(op, "path");
        JsonNode value = field(op, "value");
        op.removeAll();
        if (kind != null) {
            op.set("op", kind);
        }
        if (path != null) {
            op.set("path", path);
        }
        boolean remove = kind != null && kind.isTextual() && kind.textValue().equalsIgnoreCase("remove");
        if (!remove) {
            if (value != null) {
                op.set("value", value);
            }
            return;
        }
        if (path != null && path.isTextual() && !path.textValue().contains("[") && value != null
                && value.isArray() && !value.isEmpty()) {
            List<String> tests = new ArrayList<>();
            for (JsonNode v : value) {
                JsonNode id = field(v, "value");
                if (id == null || !id.isTextual()) {
                    throw new Failure(400, BadRequestException.INVALID_VALUE,
                            "Each value to remove needs a value (the id).");
                }
                tests.add("value eq " + TextNode.valueOf(id.textValue()));
            }
            op.put("path", path.textValue() + "[" + String.join(" or ", tests) + "]");
        }
    }

    /** The attribute {@code name} of {@code node}, matched case-insensitively as SCIM's attribute names are. */
    static JsonNode field(JsonNode node, String name) {
        if (node == null || !node.isObject()) {
            return null;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** A string attribute; null when absent or null. */
    static String text(JsonNode node, String name) {
        JsonNode value = field(node, name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isValueNode()) {
            throw invalidValue(name + " must be a string.");
        }
        return value.asText();
    }

    /**
     * A boolean attribute: JSON {@code true}/{@code false}, or the strings Microsoft Entra ID sends ({@code "True"},
     * {@code "False"}, any case); {@code absent} when missing or null.
     */
    static boolean bool(JsonNode node, String name, boolean absent) {
        JsonNode value = field(node, name);
        if (value == null || value.isNull()) {
            return absent;
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isTextual()) {
            String s = value.textValue().strip().toLowerCase(Locale.ROOT);
            if (s.equals("true") || s.equals("false")) {
                return s.equals("true");
            }
        }
        throw invalidValue(name + " must be true or false.");
    }

    /** A resource id from a path or a member value; a value that is no id matches nothing. */
    static UUID id(String raw, String what) {
        try {
            return UUID.fromString(raw.strip());
        } catch (IllegalArgumentException e) {
            throw new Failure(404, null, "No " + what + " with id '" + raw + "'.");
        }
    }

    /** The SCIM error for any failure of a SCIM request. */
    static Response failure(Throwable e) {
        if (e instanceof Failure f) {
            return ok(f.error.getStatus(), f.error);
        }
        if (e instanceof Provisioning.Refused r) {
            return switch (r.reason()) {
                case NOT_FOUND -> error(404, null, r.getMessage());
                case CONFLICT -> error(409, BadRequestException.UNIQUENESS, r.getMessage());
                case INVALID -> error(400, BadRequestException.INVALID_VALUE, r.getMessage());
            };
        }
        if (e instanceof WebApplicationException w && w.getResponse() != null
                && w.getResponse().getStatus() < 500) {
            int status = w.getResponse().getStatus();
            Response.StatusType type = Response.Status.fromStatusCode(status);
            return error(status, null, type == null ? "The request failed." : type.getReasonPhrase() + ".");
        }
        if (DatabaseOutage.causedBy(e)) {
            Response outage = DatabaseOutage.response(e);
            return Response.fromResponse(error(503, null,
                    "The database is unavailable for the moment; nothing was stored. Retry in a few seconds."))
                    .header("Retry-After", outage.getHeaderString("Retry-After")).build();
        }
        String ref = UUID.randomUUID().toString();
        LOG.errorf(e, "Unexpected error in a SCIM request, reference %s", ref);
        return error(500, null, "Something went wrong on our side; reference " + ref + ".");
    }

    static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
