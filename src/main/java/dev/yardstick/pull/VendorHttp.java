package dev.yardstick.pull;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The pullers' HTTP client: retries 429 after its {@code Retry-After}, and 5xx and I/O errors with
 * exponential backoff, up to {@code YARDSTICK_CONNECTORS_MAX_ATTEMPTS}; keeps a source's requests at
 * least its minimum interval apart (vendor rate limits). Anything else that is not 2xx fails at once.
 */
@ApplicationScoped
public class VendorHttp {

    private static final Logger LOG = Logger.getLogger(VendorHttp.class);
    static final String USER_AGENT = "Yardstick/1 (usage pullers)";

    @Inject
    ConnectorsConfig config;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20))
            .followRedirects(HttpClient.Redirect.NORMAL).build();
    private final Map<String, Long> lastCall = new ConcurrentHashMap<>();

    /** Sends a request (rebuilt for each attempt) and returns the body of its 2xx answer. */
    public String send(String source, HttpRequest.Builder request, Duration minInterval) {
        int attempts = Math.max(1, config.maxAttempts());
        Duration backoff = config.backoff();
        for (int attempt = 1;; attempt++) {
            pace(source, minInterval);
            HttpRequest req = request.copy().timeout(config.timeout()).header("User-Agent", USER_AGENT).build();
            Duration wait;
            String failure;
            int status = 0;
            try {
                HttpResponse<String> res = client.send(req, HttpResponse.BodyHandlers.ofString());
                status = res.statusCode();
                if (status / 100 == 2) {
                    return res.body();
                }
                failure = source + " answered " + status + " to " + req.method() + " " + req.uri().getPath();
                if (status == 429) {
                    wait = retryAfter(res.headers().firstValue("Retry-After").orElse(null), backoff);
                    if (wait.compareTo(config.maxRetryAfter()) > 0) {
                        throw new VendorException(failure + " with Retry-After " + wait.toSeconds() + " s", status);
                    }
                } else if (status >= 500) {
                    wait = backoff;
                    backoff = backoff.multipliedBy(2);
                } else {
                    throw new VendorException(failure + detail(res.body()), status);
                }
            } catch (IOException e) {
                failure = source + " could not be reached (" + e.getClass().getSimpleName() + ")";
                wait = backoff;
                backoff = backoff.multipliedBy(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VendorException(source + ": interrupted", 0);
            }
            if (attempt >= attempts) {
                throw new VendorException(failure + " (" + attempts + " attempts)", status);
            }
            LOG.infof("%s; retrying in %d ms", failure, wait.toMillis());
            sleep(wait);
        }
    }

    /** Waits until {@code minInterval} has passed since the source's last request. */
    private void pace(String source, Duration minInterval) {
        if (minInterval.isZero()) {
            return;
        }
        long now = System.nanoTime();
        Long last = lastCall.get(source);
        if (last != null) {
            long due = last + minInterval.toNanos();
            if (due > now) {
                sleep(Duration.ofNanos(due - now));
            }
        }
        lastCall.put(source, System.nanoTime());
    }

    /** {@code Retry-After} as seconds or an HTTP date; absent or unreadable: the current backoff. */
    static Duration retryAfter(String header, Duration fallback) {
        if (header == null || header.isBlank()) {
            return fallback;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(header.trim())));
        } catch (NumberFormatException e) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(ZonedDateTime.now(), at);
                return d.isNegative() ? Duration.ZERO : d;
            } catch (RuntimeException ignored) {
                return fallback;
            }
        }
    }

    /** The start of an error body, for the operator; vendors' error bodies carry no secrets. */
    private static String detail(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String b = body.replaceAll("\\s+", " ").trim();
        return ": " + (b.length() > 300 ? b.substring(0, 300) + "…" : b);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(Math.max(0, d.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VendorException("interrupted while waiting to retry", 0);
        }
    }
}
