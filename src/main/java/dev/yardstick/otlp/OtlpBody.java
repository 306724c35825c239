package dev.yardstick.otlp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.yardstick.common.Problem;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads an OTLP/HTTP request body: protobuf or JSON, gzip-compressed or not, within a size limit
 * that also applies after decompression.
 */
final class OtlpBody {

    /** The two OTLP/HTTP encodings. */
    enum Encoding {

        PROTOBUF("application/x-protobuf"), JSON("application/json");

        final String mediaType;

        Encoding(String mediaType) {
            this.mediaType = mediaType;
        }

        static Encoding of(String contentType) {
            String t = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
            if (t.startsWith("application/x-protobuf") || t.startsWith("application/protobuf")) {
                return PROTOBUF;
            }
            if (t.startsWith("application/json")) {
                return JSON;
            }
            throw Problem.exception(Response.Status.UNSUPPORTED_MEDIA_TYPE,
                    "Send OTLP as application/x-protobuf or application/json.");
        }
    }

    /** OTLP JSON writes these bytes fields as hex, where protobuf's JSON mapping expects base64. */
    private static final Set<String> HEX_FIELDS = Set.of("traceId", "spanId", "parentSpanId", "trace_id", "span_id");
    private static final JsonFormat.Parser JSON_PARSER = JsonFormat.parser().ignoringUnknownFields();

    private OtlpBody() {
    }

    static byte[] read(InputStream in, String contentEncoding, long maxBytes) {
        String enc = contentEncoding == null ? "identity" : contentEncoding.trim().toLowerCase(Locale.ROOT);
        try {
            InputStream src = switch (enc) {
                case "gzip", "x-gzip" -> new GZIPInputStream(in, 65536);
                case "identity", "" -> in;
                default -> throw Problem.exception(Response.Status.UNSUPPORTED_MEDIA_TYPE,
                        "Content-Encoding must be gzip or absent.");
            };
            byte[] bytes = src.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes) {
                throw Problem.exception(Response.Status.REQUEST_ENTITY_TOO_LARGE,
                        "The request body is larger than " + maxBytes + " bytes (after decompression); "
                                + "export smaller batches.");
            }
            return bytes;
        } catch (ZipException | java.io.EOFException e) {
            throw Problem.badRequest("The request body is not valid gzip; nothing was stored.");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses the body into {@code builder}; 400 when it is not a valid OTLP message. */
    static <B extends Message.Builder> B parse(byte[] bytes, Encoding encoding, B builder, ObjectMapper mapper) {
        try {
            if (encoding == Encoding.PROTOBUF) {
                builder.mergeFrom(bytes);
            } else {
                JsonNode root = mapper.readTree(bytes);
                if (root == null || !root.isObject()) {
                    throw Problem.badRequest("The request body must be an OTLP JSON object; nothing was stored.");
                }
                hexToBase64(root);
                JSON_PARSER.merge(mapper.writeValueAsString(root), builder);
            }
            return builder;
        } catch (InvalidProtocolBufferException | JsonProcessingException | IllegalArgumentException e) {
            throw Problem.badRequest("The request body is not a valid OTLP "
                    + (encoding == Encoding.PROTOBUF ? "protobuf" : "JSON") + " message; nothing was stored.");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Rewrites hex trace and span ids as base64, anywhere in the tree. */
    private static void hexToBase64(JsonNode node) {
        if (node.isObject()) {
            ObjectNode o = (ObjectNode) node;
            Iterator<Map.Entry<String, JsonNode>> fields = o.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                JsonNode v = f.getValue();
                if (HEX_FIELDS.contains(f.getKey()) && v.isTextual()) {
                    String s = v.asText();
                    if (s.length() % 2 == 0 && s.chars().allMatch(ch -> Character.digit(ch, 16) >= 0)) {
                        f.setValue(o.textNode(Base64.getEncoder().encodeToString(HexFormat.of().parseHex(s))));
                    } else {
                        throw Problem.badRequest("Field '" + f.getKey() + "' must be hex; nothing was stored.");
                    }
                } else {
                    hexToBase64(v);
                }
            }
        } else if (node.isArray()) {
            node.forEach(OtlpBody::hexToBase64);
        }
    }

    /** The response message in the request's encoding. */
    static Response respond(Message message, Encoding encoding) {
        try {
            Object body = encoding == Encoding.PROTOBUF
                    ? message.toByteArray()
                    : JsonFormat.printer().omittingInsignificantWhitespace().print(message);
            return Response.ok(body, encoding.mediaType).build();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }
}
