package dev.yardstick.common;

import dev.yardstick.YardstickConfig;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the memory request bodies may take before anyone has checked who sent them. It runs first, on the event
 * loop, from the headers alone: each endpoint has its own limit (a larger {@code Content-Length} is answered 413 at
 * once, the body never read), bodies that need a signature check must say their length, and the bodies being read
 * at one time may add up to at most {@code YARDSTICK_HTTP_BODY_BYTES_IN_FLIGHT} (beyond it: 503 with
 * {@code Retry-After}), and small ones {@link #SMALL_RESERVE} more. A body without a length is counted at its
 * endpoint's limit and cut off there while read.
 */
@ApplicationScoped
public class BodyLimits {

    /** Slack's own payloads (slash commands, button clicks, modal submissions) are a few kilobytes. */
    static final long SLACK = 1 << 20;
    /** Bot Framework activities from Teams. */
    static final long TEAMS = 1 << 20;
    /** GitHub caps webhook payloads at 25 MB. */
    static final long GITHUB = 25L << 20;
    /** Linear and Jira webhook payloads. */
    static final long OTHER_WEBHOOKS = 5L << 20;
    /** The local preview's forms. */
    static final long PREVIEW = 64 << 10;
    /** A directory import: 10,000 people take about 1.5 MB of CSV. */
    static final long DIRECTORY_IMPORT = 8L << 20;
    /** Admin requests and everything else. */
    static final long DEFAULT = 1 << 20;
    /** A body of at most this many bytes (a few events, a chat command) is small... */
    static final long SMALL_BODY = 64 << 10;
    /**
     * ...and small bodies have this much more in flight of their own: a flood of large bodies that fills the budget
     * cannot refuse a one-event ingest or a chat command.
     */
    static final long SMALL_RESERVE = 8L << 20;

    @Inject
    YardstickConfig config;

    private final AtomicLong inFlight = new AtomicLong();

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::check);
    }

    /** The body limit of a path, in bytes. */
    long limit(String path) {
        if (path.startsWith("/slack/")) {
            return SLACK;
        }
        if (path.startsWith("/api/messages")) {
            return TEAMS;
        }
        if (path.startsWith("/webhooks/github")) {
            return GITHUB;
        }
        if (path.startsWith("/webhooks/")) {
            return OTHER_WEBHOOKS;
        }
        if (path.startsWith("/api/v1/usage-events") || path.startsWith("/api/v1/outcome-events")
                || path.startsWith("/v1/")) {
            return config.ingest().maxBytes();
        }
        if (path.startsWith("/api/v1/directory/import")) {
            return DIRECTORY_IMPORT;
        }
        if (path.startsWith("/preview")) {
            return PREVIEW;
        }
        return DEFAULT;
    }

    /** Bodies that are checked against a signature, which needs them whole: their sender must give the length. */
    private static boolean signed(String path) {
        return path.startsWith("/slack/") || path.startsWith("/api/messages") || path.startsWith("/webhooks/");
    }

    private void check(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String path = request.path();
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        boolean chunked = length == null && request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
        if (length == null && !chunked) {
            ctx.next();
            return;
        }
        long limit = limit(path);
        long size;
        if (chunked) {
            if (signed(path)) {
                reject(ctx, 411, "Length Required", "Send the body with a Content-Length.");
                return;
            }
            size = limit;
        } else {
            try {
                size = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                reject(ctx, 400, "Bad Request", "The Content-Length header is not a number.");
                return;
            }
            if (size > limit) {
                reject(ctx, 413, "Content Too Large", "The request body is larger than " + limit
                        + " bytes, the limit of this endpoint.");
                return;
            }
        }
        if (size <= 0) {
            ctx.next();
            return;
        }
        long budget = config.http().bodyBytesInFlight();
        long now = inFlight.addAndGet(size);
        if (now > (size <= SMALL_BODY ? budget + SMALL_RESERVE : budget) && now != size) {
            inFlight.addAndGet(-size);
            ctx.response().putHeader("Retry-After", "1");
            reject(ctx, 503, "Service Unavailable", "Too many large requests at once; retry shortly.");
            return;
        }
        ctx.addEndHandler(done -> inFlight.addAndGet(-size));
        ctx.next();
    }

    private static void reject(RoutingContext ctx, int status, String title, String detail) {
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .putHeader(HttpHeaders.CONNECTION, "close").end(Problem.json(status, title, detail));
    }

    /** Bytes of request bodies currently admitted, for the metrics and tests. */
    public long inFlight() {
        return inFlight.get();
    }
}
