package dev.yardstick.limits;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * One request to a vendor, no retries here (the cap writer retries, durably): the JSON of a 2xx answer, else a
 * {@link CapException} with the status and {@code Retry-After}.
 */
@ApplicationScoped
class CapHttp {

    static final String USER_AGENT = "Yardstick/1 (spend caps)";

    @Inject
    LimitsConfig config;
    @Inject
    ObjectMapper mapper;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    JsonNode send(String vendor, HttpRequest.Builder request) {
        HttpRequest req = request.timeout(config.timeout()).header("User-Agent", USER_AGENT).build();
        HttpResponse<String> res;
        try {
            res = client.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new CapException(vendor + " could not be reached (" + e.getClass().getSimpleName() + ")", 0, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CapException(vendor + ": interrupted", 0, null);
        }
        int status = res.statusCode();
        if (status / 100 != 2) {
            throw new CapException(vendor + " answered " + status + detail(res.body()), status,
                    retryAfter(res.headers().firstValue("Retry-After").orElse(null)));
        }
        try {
            String body = res.body();
            return body == null || body.isBlank() ? mapper.createObjectNode() : mapper.readTree(body);
        } catch (IOException e) {
            throw new CapException(vendor + " answered " + status + " with a body that is not JSON", status, null);
        }
    }

    HttpRequest.BodyPublisher json(Object body) {
        try {
            return HttpRequest.BodyPublishers.ofString(mapper.writeValueAsString(body));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code Retry-After} as seconds or an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(header.trim())));
        } catch (NumberFormatException e) {
            try {
                Duration d = Duration.between(ZonedDateTime.now(),
                        ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME));
                return d.isNegative() ? Duration.ZERO : d;
            } catch (RuntimeException ignored) {
                return null;
            }
        }
    }

    private static String detail(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String b = body.replaceAll("\\s+", " ").trim();
        return ": " + (b.length() > 200 ? b.substring(0, 200) + "…" : b);
    }
}
