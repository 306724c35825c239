package dev.yardstick.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.yardstick.common.Problem;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads an ingest request body: one JSON object, a JSON array of objects, or NDJSON. The whole
 * body is parsed before anything is stored, so malformed JSON keeps nothing.
 */
final class EventBody {

    private EventBody() {
    }

    static List<JsonNode> read(InputStream in, String contentType, long maxBytes, int maxEvents, ObjectMapper mapper) {
        String type = contentType == null ? "application/json" : contentType.toLowerCase(Locale.ROOT);
        boolean ndjson = type.startsWith("application/x-ndjson") || type.startsWith("application/jsonl")
                || type.startsWith("application/x-jsonlines");
        if (!ndjson && !type.contains("json")) {
            throw Problem.exception(Response.Status.UNSUPPORTED_MEDIA_TYPE,
                    "Send application/json (an object or an array) or application/x-ndjson.");
        }
        byte[] bytes;
        try {
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (bytes.length > maxBytes) {
            throw tooLarge("The request body is larger than " + maxBytes + " bytes; split it into smaller batches.");
        }
        List<JsonNode> events = new ArrayList<>();
        if (ndjson) {
            try (MappingIterator<JsonNode> it = mapper.readerFor(JsonNode.class).readValues(bytes)) {
                while (it.hasNextValue()) {
                    events.add(it.nextValue());
                    checkCount(events.size(), maxEvents);
                }
            } catch (JsonProcessingException e) {
                throw Problem
                        .badRequest("Line " + e.getLocation().getLineNr() + " is not valid JSON; nothing was stored.");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return events;
        }
        JsonNode root;
        try {
            ObjectReader reader = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
            root = reader.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw Problem.badRequest("The request body is not valid JSON; nothing was stored. "
                    + "Use Content-Type: application/x-ndjson for one event per line.");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (root == null || root.isMissingNode()) {
            throw Problem.badRequest("The request body is empty.");
        }
        if (root.isArray()) {
            checkCount(root.size(), maxEvents);
            root.forEach(events::add);
        } else if (root.isObject()) {
            events.add(root);
        } else {
            throw Problem.badRequest("The request body must be a JSON object or an array of objects.");
        }
        return events;
    }

    private static void checkCount(int count, int max) {
        if (count > max) {
            throw tooLarge("More than " + max + " events in one request; split it into smaller batches.");
        }
    }

    private static WebApplicationException tooLarge(String detail) {
        return Problem.exception(Response.Status.REQUEST_ENTITY_TOO_LARGE, detail);
    }
}
