package dev.yardstick.demo;

import dev.yardstick.ledger.OutcomeRecord;
import dev.yardstick.ledger.UsageRecord;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The demo organisation's people and their plausible history: three teams with a story each, ten
 * weeks of usage across tools and models, shipped work, and one overnight runaway session. Every
 * event id is derived from the team, person and day, and every random draw is seeded the same way,
 * so generating again (another start, another day) adds only what is new.
 */
final class DemoOrganisation {

    /** Weeks of history, the current week included. */
    static final int WEEKS = 10;

    /** One tool and model a team uses, with its share of the team's spend. */
    record Use(String tool, String model, double share) {
    }

    /**
     * A team, its people (the first is the manager), and its weekly spend and shipped work from the
     * oldest week to the current one.
     */
    record TeamPlan(String key, String name, String zone, int budget, String channel, List<String[]> people,
            List<Use> uses, double[] spend, int[] shipped, double aiAssisted) {

        ZoneId zoneId() {
            return ZoneId.of(zone);
        }
    }

    static final List<TeamPlan> TEAMS = List.of(
            // cost per shipped item falling week after week: the positive note
            new TeamPlan("payments", "Payments", "Europe/Berlin", 1500, "C0DEMOPAYMENTS", List.of(
                    new String[]{"lena.fischer@demo.yardstick.dev", "Lena Fischer"},
                    new String[]{"amir.haddad@demo.yardstick.dev", "Amir Haddad"},
                    new String[]{"joana.silva@demo.yardstick.dev", "Joana Silva"},
                    new String[]{"tobias.weber@demo.yardstick.dev", "Tobias Weber"},
                    new String[]{"mei.tanaka@demo.yardstick.dev", "Mei Tanaka"},
                    new String[]{"oskar.nilsson@demo.yardstick.dev", "Oskar Nilsson"},
                    new String[]{"priya.raman@demo.yardstick.dev", "Priya Raman"}),
                    List.of(new Use("claude-code", "claude-sonnet-4-6", 0.55),
                            new Use("claude-code", "claude-haiku-4-5",
                                    0.15),
                            new Use("cursor", "gpt-5.4", 0.20), new Use("copilot", "gpt-5.4-mini", 0.10)),
                    new double[]{1010, 1060, 980, 1040, 1090, 1020, 1070, 1050, 1080, 620},
                    new int[]{16, 18, 17, 20, 22, 23, 25, 26, 29, 15}, 0.62),
            // spend up sharply while shipped work is flat, mostly on premium models
            new TeamPlan("mobile", "Mobile", "America/New_York", 900, "C0DEMOMOBILE", List.of(
                    new String[]{"carlos.mendez@demo.yardstick.dev", "Carlos Mendez"},
                    new String[]{"sam.okafor@demo.yardstick.dev", "Sam Okafor"},
                    new String[]{"hana.kim@demo.yardstick.dev", "Hana Kim"},
                    new String[]{"leo.martin@demo.yardstick.dev", "Leo Martin"},
                    new String[]{"aisha.bello@demo.yardstick.dev", "Aisha Bello"}),
                    List.of(new Use("claude-code", "claude-opus-4-7", 0.60), new Use("codex", "gpt-5.4", 0.28),
                            new Use("cursor", "gpt-5.4-mini", 0.12)),
                    new double[]{480, 510, 495, 530, 520, 545, 560, 575, 810, 430},
                    new int[]{13, 14, 12, 14, 13, 14, 13, 14, 13, 6}, 0.55),
            // a small share of its budget: ask about barriers, never "use more"
            new TeamPlan("platform", "Platform", "UTC", 2000, "C0DEMOPLATFORM", List.of(
                    new String[]{"grace.obi@demo.yardstick.dev", "Grace Obi"},
                    new String[]{"daniel.roth@demo.yardstick.dev", "Daniel Roth"},
                    new String[]{"sofia.costa@demo.yardstick.dev", "Sofia Costa"},
                    new String[]{"ivan.petrov@demo.yardstick.dev", "Ivan Petrov"},
                    new String[]{"nora.lind@demo.yardstick.dev", "Nora Lind"}),
                    List.of(new Use("gemini-cli", "gemini-3.5-flash", 0.45), new Use("claude-code",
                            "claude-sonnet-4-6", 0.35), new Use("copilot", "gpt-5.4-mini", 0.20)),
                    new double[]{140, 150, 135, 160, 145, 155, 150, 140, 150, 80},
                    new int[]{10, 11, 9, 10, 12, 10, 11, 10, 11, 5}, 0.40));

    /** The Mobile engineer whose agent loops overnight. */
    static final String RUNAWAY_USER = "sam.okafor@demo.yardstick.dev";
    /** The requests of the demo's loop. */
    static final int LOOP_REQUESTS = 212;

    private DemoOrganisation() {
    }

    /** The Monday of the oldest demo week, in the team's timezone. */
    static LocalDate firstMonday(TeamPlan t, Instant now) {
        return LocalDate.ofInstant(now, t.zoneId()).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY))
                .minusWeeks(WEEKS - 1);
    }

    /** The team's usage from its first demo week up to {@code now}. */
    static List<UsageRecord> usage(TeamPlan t, Instant now) {
        List<UsageRecord> out = new ArrayList<>();
        LocalDate first = firstMonday(t, now);
        List<String[]> users = t.people().subList(1, t.people().size());
        double weights = 0;
        for (int u = 0; u < users.size(); u++) {
            weights += 1.6 - u * 0.25;
        }
        for (int w = 0; w < WEEKS; w++) {
            // the current week's figure is for the days that have passed
            int days = w == WEEKS - 1
                    ? (int) (LocalDate.ofInstant(now, t.zoneId()).toEpochDay()
                            - first.plusWeeks(w).toEpochDay()) + 1
                    : 7;
            double perWorkday = t.spend()[w] / (w == WEEKS - 1 ? Math.max(1, Math.min(days, 5)) : 5.3);
            for (int d = 0; d < days; d++) {
                LocalDate day = first.plusWeeks(w).plusDays(d);
                boolean weekend = day.getDayOfWeek().getValue() >= 6;
                for (int u = 0; u < users.size(); u++) {
                    String email = users.get(u)[0];
                    Random r = random(email, day);
                    if (weekend && r.nextDouble() > 0.15) {
                        continue;
                    }
                    // heavier and lighter users, never ranked anywhere
                    double weight = (1.6 - u * 0.25) / weights * (0.75 + r.nextDouble() * 0.5);
                    double dayCost = perWorkday * weight * (weekend ? 0.3 : 1);
                    int sessions = 1 + r.nextInt(3);
                    for (int s = 0; s < sessions; s++) {
                        Use use = pick(t.uses(), r);
                        double cost = dayCost / sessions;
                        Instant time = day.atTime(9 + r.nextInt(8), r.nextInt(60)).atZone(t.zoneId()).toInstant();
                        if (time.isAfter(now)) {
                            continue;
                        }
                        String id = "demo:" + t.key() + ":" + email + ":" + day + ":" + s;
                        String session = "demo-" + Integer.toHexString((email + day + s).hashCode());
                        if (time.isAfter(now.minus(Duration.ofHours(26))) && cost > 2) {
                            out.addAll(heavy(id, time, email, use, cost, session, now));
                        } else {
                            out.add(record(id, time, email, use, cost, session));
                        }
                    }
                }
            }
        }
        return out;
    }

    /**
     * A recent session as it really arrives (the live window, where runaway detection looks): a heavy but healthy
     * one, a request every 45 seconds of at most {@value #HEAVY_REQUEST_USD} USD, its context growing as the work goes
     * on. At that price 15 minutes (20 requests) stay under the $15 floor of runaway detection's rule "far above the
     * person's own history", which a day carrying a whole week's spend (a Monday) would otherwise cross.
     */
    /** The most a request of a heavy but healthy demo session costs. */
    static final double HEAVY_REQUEST_USD = 0.7;

    private static List<UsageRecord> heavy(String id, Instant start, String email, Use use, double cost,
            String session, Instant now) {
        List<UsageRecord> out = new ArrayList<>();
        int n = (int) Math.ceil(cost / HEAVY_REQUEST_USD);
        BigDecimal each = BigDecimal.valueOf(cost / n).setScale(4, RoundingMode.HALF_UP);
        for (int k = 0; k < n; k++) {
            Instant time = start.plusSeconds(45L * k);
            if (time.isAfter(now)) {
                break;
            }
            out.add(new UsageRecord(id + ":" + k, time, email, null, use.tool(), use.model(), 900 + 37L * k,
                    250 + (k * 7919L) % 2400, 12_000 + 1_850L * k, 1_200 + (k * 104_729L) % 900, each, 1, session));
        }
        return out;
    }

    /**
     * The overnight loop: a Claude Code session sending the same 48k-token request 212 times within
     * nine minutes (a step failing and retried), in the small hours of the latest night that has passed.
     */
    static List<UsageRecord> runaway(Instant now) {
        TeamPlan mobile = TEAMS.get(1);
        LocalDate night = LocalDate.ofInstant(now, mobile.zoneId());
        Instant start = night.atTime(2, 40).atZone(mobile.zoneId()).toInstant();
        if (start.plusSeconds(600).isAfter(now)) {
            night = night.minusDays(1);
            start = night.atTime(2, 40).atZone(mobile.zoneId()).toInstant();
        }
        List<UsageRecord> out = new ArrayList<>();
        Use opus = new Use("claude-code", "claude-opus-4-7", 1);
        for (int i = 0; i < LOOP_REQUESTS; i++) {
            out.add(new UsageRecord("demo:runaway:" + night + ":" + i, start.plusMillis(i * 2_550L), RUNAWAY_USER,
                    null, opus.tool(), opus.model(), 1_214, 182, 46_903, 0, new BigDecimal("0.3300"), 1,
                    "demo-loop-" + night));
        }
        return out;
    }

    /** The team's shipped work from its first demo week up to {@code now}. */
    static List<OutcomeRecord> outcomes(TeamPlan t, Instant now) {
        List<OutcomeRecord> out = new ArrayList<>();
        LocalDate first = firstMonday(t, now);
        List<String[]> users = t.people().subList(1, t.people().size());
        String[] kinds = {"pr_merged", "pr_merged", "pr_merged", "ticket_resolved", "ticket_resolved", "deployment"};
        for (int w = 0; w < WEEKS; w++) {
            LocalDate monday = first.plusWeeks(w);
            Random r = random(t.key(), monday);
            for (int i = 0; i < t.shipped()[w]; i++) {
                String kind = kinds[r.nextInt(kinds.length)];
                String email = users.get(r.nextInt(users.size()))[0];
                LocalDate day = monday.plusDays(r.nextInt(5));
                Instant time = day.atTime(10 + r.nextInt(8), r.nextInt(60)).atZone(t.zoneId()).toInstant();
                boolean ai = r.nextDouble() < t.aiAssisted();
                if (time.isAfter(now)) {
                    continue;
                }
                out.add(new OutcomeRecord("demo:" + t.key() + ":" + monday + ":outcome:" + i, time, email, null, kind,
                        title(kind, r), null, ai));
            }
        }
        return out;
    }

    private static UsageRecord record(String id, Instant time, String email, Use use, double cost, String session) {
        BigDecimal usd = BigDecimal.valueOf(cost).setScale(4, RoundingMode.HALF_UP);
        long scale = Math.max(1, Math.round(cost * 1000));
        return new UsageRecord(id, time, email, null, use.tool(), use.model(), scale * 24, scale * 3, scale * 160, 0,
                usd, (int) Math.max(1, Math.round(cost * 3)), session);
    }

    private static Use pick(List<Use> uses, Random r) {
        double x = r.nextDouble();
        for (Use u : uses) {
            x -= u.share();
            if (x <= 0) {
                return u;
            }
        }
        return uses.get(uses.size() - 1);
    }

    private static Random random(String who, LocalDate day) {
        return new Random((who + "|" + day).hashCode() * 31L + 7);
    }

    private static String title(String kind, Random r) {
        String[] prs = {"Retry card payments on timeouts", "Cache exchange rates", "Split the checkout form",
                "Fix flaky login test", "Add idempotency keys to refunds", "Paginate the order history"};
        String[] tickets = {"Receipt emails arrive twice", "Crash when the camera is denied", "Slow search on iPad",
                "Export misses the VAT column"};
        return switch (kind) {
            case "pr_merged" -> prs[r.nextInt(prs.length)];
            case "ticket_resolved" -> tickets[r.nextInt(tickets.length)];
            default -> "Release " + (100 + r.nextInt(900));
        };
    }
}
