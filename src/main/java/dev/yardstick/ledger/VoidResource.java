package dev.yardstick.ledger;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.yardstick.common.AdminOnly;
import dev.yardstick.common.ApiSecurity;
import dev.yardstick.common.Problem;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/**
 * Voiding (admin): {@code POST /api/v1/usage-events/void} and {@code POST /api/v1/outcome-events/void} take bad
 * events back out of every total. See docs/api.md.
 */
@Path("/api/v1/{events: usage-events|outcome-events}/void")
@AdminOnly
@SecurityRequirement(name = ApiSecurity.ADMIN)
@Produces(MediaType.APPLICATION_JSON)
public class VoidResource {

    /** Who voids, as recorded: there is one admin token, and it has no name. */
    static final String ADMIN = "admin";
    /** The longest reason kept. */
    static final int MAX_REASON = 500;

    /**
     * Body of a void: {@code ids}, or {@code user}, {@code from} and {@code to} (RFC 3339, {@code to} exclusive)
     * with an optional {@code tool}; always a {@code reason}.
     */
    public record VoidRequest(List<String> ids, String user, String from, String to, String tool, String reason) {
    }

    /** What this call voided: how many events and, for usage, their cost in USD (a decimal string). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Voided(int events, String costUsd) {
    }

    /** The answer: what this call voided, and its record ({@code null} when it voided nothing). */
    public record VoidAnswer(Voided voided, Long voidId) {
    }

    @Inject
    LedgerWriter ledger;

    @POST
    public VoidAnswer voidEvents(@PathParam("events") String events, VoidRequest body) {
        boolean usage = "usage-events".equals(events);
        if (body == null) {
            throw Problem.badRequest("A JSON body is required: {\"ids\": [...], \"reason\"} or {\"user\", \"from\", "
                    + "\"to\", \"tool\"?, \"reason\"}.");
        }
        String reason = reason(body.reason());
        VoidSelector selector = selector(body, usage);
        if (usage) {
            VoidResult r = ledger.voidUsage(selector, reason, ADMIN);
            return new VoidAnswer(new Voided(r.events(), usd(r.costUsd())), r.voidId());
        }
        VoidResult r = ledger.voidOutcomes(selector, reason, ADMIN);
        return new VoidAnswer(new Voided(r.events(), null), r.voidId());
    }

    private static String reason(String reason) {
        if (reason == null || reason.isBlank()) {
            throw Problem.badRequest("'reason' is required: say why these events are voided.");
        }
        String r = reason.strip();
        if (r.length() > MAX_REASON) {
            throw Problem.badRequest("'reason' may have at most " + MAX_REASON + " characters.");
        }
        if (r.indexOf('\0') >= 0) {
            throw Problem.badRequest("'reason' contains the NUL character (U+0000), which cannot be stored.");
        }
        return r;
    }

    private static VoidSelector selector(VoidRequest b, boolean usage) {
        boolean byMember = b.user() != null || b.from() != null || b.to() != null || b.tool() != null;
        if (b.ids() != null && byMember) {
            throw Problem.badRequest("Give either 'ids' or 'user', 'from' and 'to', not both.");
        }
        if (b.ids() != null) {
            if (b.ids().isEmpty()) {
                throw Problem.badRequest("'ids' must list at least one event id.");
            }
            if (b.ids().size() > VoidSelector.MAX_IDS) {
                throw Problem.badRequest("At most " + VoidSelector.MAX_IDS + " ids per call; got " + b.ids().size()
                        + ".");
            }
            for (int i = 0; i < b.ids().size(); i++) {
                String id = b.ids().get(i);
                if (id == null || id.isEmpty() || id.length() > 128 || id.indexOf('\0') >= 0) {
                    throw Problem.badRequest("ids[" + i + "] is not an event id (1 to 128 characters, no U+0000).");
                }
            }
            return VoidSelector.ofIds(b.ids());
        }
        if (b.user() == null || b.from() == null || b.to() == null) {
            throw Problem.badRequest("Give 'ids', or 'user', 'from' and 'to' (and optionally 'tool').");
        }
        String user = b.user().strip().toLowerCase(Locale.ROOT);
        if (user.isEmpty() || user.length() > 320 || user.indexOf('\0') >= 0) {
            throw Problem.badRequest("'user' must be a member's email.");
        }
        Instant from = instant("from", b.from());
        Instant to = instant("to", b.to());
        if (!from.isBefore(to)) {
            throw Problem.badRequest("'from' must be before 'to' ('to' is exclusive).");
        }
        if (b.tool() != null) {
            if (!usage) {
                throw Problem.badRequest("'tool' applies to usage events only.");
            }
            if (!Vocabulary.TOOLS.contains(b.tool())) {
                throw Problem.badRequest("'tool' must be one of " + new java.util.TreeSet<>(Vocabulary.TOOLS) + ".");
            }
        }
        return VoidSelector.ofMember(user, from, to, b.tool());
    }

    private static final Instant FIRST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LAST = Instant.parse("9999-12-31T23:59:59Z");

    private static Instant instant(String name, String value) {
        Instant t;
        try {
            t = OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw Problem.badRequest("'" + name + "' must be an RFC 3339 instant with an offset, such as "
                    + "2026-11-23T00:00:00Z.");
        }
        if (t.isBefore(FIRST) || t.isAfter(LAST)) {
            throw Problem.badRequest("'" + name + "' must be between the years 1 and 9999.");
        }
        return t;
    }

    /** A cost as an exact decimal string with at least two decimals: {@code 12.50}, {@code 0.00012345}. */
    static String usd(BigDecimal v) {
        if (v == null) {
            return null;
        }
        BigDecimal s = v.stripTrailingZeros();
        return (s.scale() < 2 ? s.setScale(2) : s).toPlainString();
    }
}
