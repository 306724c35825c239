package dev.yardstick.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
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
 * body is parsed before anything is stored, so malformed JSON keeps nothing; an NDJSON line beyond
 * the parser's limits (nested deeper than {@value #MAX_DEPTH} levels, a number longer than 1,000
 * digits) is rejected on its own.
 */
final class EventBody {

    /** One event of the body, or why its line could not be read. */
    record Event(JsonNode node, String error) {
    }

    /** Events are flat objects; this leaves room for mistakes while bounding the parser's work. */
    static final int MAX_DEPTH = 64;

    private static final ObjectReader READER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .build()).reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** The same reader for a stream of values, which {@link #stream} checks line by line itself. */
    private static final ObjectReader STREAM_READER = READER.without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final String LIMITS = "nested deeper than " + MAX_DEPTH
            + " levels, or a number longer than 1000 digits";

    private EventBody() {
    }

    static List<Event> read(InputStream in, String contentType, long maxBytes, int maxEvents) {
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
        return ndjson ? lines(bytes, maxEvents) : document(bytes, maxEvents);
    }

    /**
     * NDJSON: each non-blank line is one event. Read by one parser over the whole body when every line holds one
     * value and the body is within the parser's limits (the common case: no parser set up per line); otherwise line
     * by line, which says which line is wrong.
     */
    private static List<Event> lines(byte[] bytes, int maxEvents) {
        List<Event> events = stream(bytes, maxEvents);
        return events != null ? events : lineByLine(bytes, maxEvents);
    }

    /**
     * The body's values read by one parser, or null when a value does not stand alone on its line (or the body is
     * not valid JSON, or beyond the parser's limits): {@link #lineByLine} then judges each line.
     */
    static List<Event> stream(byte[] bytes, int maxEvents) {
        List<Event> events = new ArrayList<>();
        try (JsonParser p = STREAM_READER.createParser(bytes)) {
            int previousEnd = 0;
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                int start = (int) p.currentTokenLocation().getByteOffset();
                if (!newlineBetween(bytes, previousEnd, start) && !events.isEmpty()) {
                    return null;
                }
                JsonNode node = STREAM_READER.readTree(p);
                int end = (int) p.currentLocation().getByteOffset();
                if (node == null || start < 0 || end < start || newlineBetween(bytes, start, end)) {
                    return null;
                }
                checkCount(events.size() + 1, maxEvents);
                events.add(new Event(node, null));
                previousEnd = end;
            }
        } catch (IOException e) {
            return null;
        }
        return events;
    }

    private static boolean newlineBetween(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == '\n') {
                return true;
            }
        }
        return false;
    }

    /** NDJSON, each non-blank line read on its own. */
    static List<Event> lineByLine(byte[] bytes, int maxEvents) {
        List<Event> events = new ArrayList<>();
        int lineNr = 0;
        for (int start = 0; start < bytes.length;) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            lineNr++;
            if (!isBlank(bytes, start, end)) {
                checkCount(events.size() + 1, maxEvents);
                try {
                    events.add(new Event(READER.readTree(bytes, start, end - start), null));
                } catch (StreamConstraintsException e) {
                    events.add(new Event(null, "line " + lineNr + " is beyond the parser's limits (" + LIMITS + ")"));
                } catch (JsonProcessingException e) {
                    throw Problem.badRequest("Line " + lineNr + " is not valid JSON; nothing was stored.");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            start = end + 1;
        }
        return events;
    }

    /** One JSON document: an object or an array of objects. */
    private static List<Event> document(byte[] bytes, int maxEvents) {
        JsonNode root;
        try {
            root = READER.readTree(bytes);
        } catch (StreamConstraintsException e) {
            throw Problem.badRequest("The request body is beyond the parser's limits (" + LIMITS
                    + "); nothing was stored. Send NDJSON to have such an event rejected on its own.");
        } catch (JsonProcessingException e) {
            throw Problem.badRequest("The request body is not valid JSON; nothing was stored. "
                    + "Use Content-Type: application/x-ndjson for one event per line.");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (root == null || root.isMissingNode()) {
            throw Problem.badRequest("The request body is empty.");
        }
        List<Event> events = new ArrayList<>();
        if (root.isArray()) {
            checkCount(root.size(), maxEvents);
            root.forEach(n -> events.add(new Event(n, null)));
        } else if (root.isObject()) {
            events.add(new Event(root, null));
        } else {
            throw Problem.badRequest("The request body must be a JSON object or an array of objects.");
        }
        return events;
    }

    private static boolean isBlank(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r') {
                return false;
            }
        }
        return true;
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
