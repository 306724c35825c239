import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Loads the digest benchmark's organisation through the service's own APIs: TEAMS teams of MEMBERS
 * members each (four timezones), WEEKS full weeks of usage (two events per member and working day,
 * five tool/model pairs) and shipped work, ending with the week just ended. Prints what it loaded.
 *
 * <p>Usage: {@code java bench/src/DigestBench.java <base-url> <admin-token> <teams> <members> <weeks>}
 */
public class DigestBench {

    private static final String[] ZONES = {"UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo"};
    private static final String[][] USES = {{"claude-code", "claude-sonnet-4-6"}, {"claude-code", "claude-haiku-4-5"},
            {"cursor", "gpt-5.4"}, {"codex", "gpt-5.4-mini"}, {"gemini-cli", "gemini-3.5-flash"}};
    private static final String[] KINDS = {"pr_merged", "pr_merged", "ticket_resolved", "deployment"};

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public static void main(String[] args) throws Exception {
        String base = args[0];
        String admin = args[1];
        int teams = Integer.parseInt(args[2]);
        int members = Integer.parseInt(args[3]);
        int weeks = Integer.parseInt(args[4]);
        long t0 = System.nanoTime();
        String token = send("POST", base + "/api/v1/ingest-tokens", admin, "application/json",
                "{\"name\":\"digest-bench\"}", 201).replaceAll(".*\"token\":\"([^\"]+)\".*", "$1");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < teams; t++) {
            int team = t;
            work.add(pool.submit(() -> {
                String key = String.format("bench-t%04d", team);
                String manager = email(team, 0);
                send("PUT", base + "/api/v1/teams/" + key, admin, "application/json", "{\"name\":\"Team " + team
                        + "\",\"digestTime\":\"00:00\",\"slackChannelId\":\"C" + String.format("%06d", team) + "\",\"managers\":[\"" + manager
                        + "\"],\"weeklyBudgetUsd\":" + (500 + team % 7 * 250) + ",\"timezone\":\""
                        + ZONES[team % ZONES.length] + "\"}", 201);
                for (int m = 0; m < members; m++) {
                    send("PUT", base + "/api/v1/members/" + email(team, m), admin, "application/json",
                            "{\"displayName\":\"Member " + m + " of " + team + "\",\"team\":\"" + key + "\"}", 201);
                }
                return null;
            }));
        }
        await(work);
        long tPeople = System.nanoTime();

        AtomicLong usage = new AtomicLong();
        AtomicLong outcomes = new AtomicLong();
        work.clear();
        for (int t = 0; t < teams; t++) {
            int team = t;
            work.add(pool.submit(() -> {
                ZoneId zone = ZoneId.of(ZONES[team % ZONES.length]);
                LocalDate lastMonday = LocalDate.now(zone).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY))
                        .minusWeeks(1);
                LocalDate first = lastMonday.minusWeeks(weeks - 1);
                Random r = new Random(team);
                StringBuilder u = new StringBuilder();
                StringBuilder o = new StringBuilder();
                int nu = 0;
                int no = 0;
                // a team's level and trend, so digests differ (and some nudges fire)
                double level = 20 + r.nextInt(60);
                double trend = 0.97 + r.nextDouble() * 0.08;
                for (int w = 0; w < weeks; w++) {
                    for (int d = 0; d < 5; d++) {
                        LocalDate day = first.plusWeeks(w).plusDays(d);
                        for (int m = 0; m < members; m++) {
                            for (int e = 0; e < 2; e++) {
                                String[] use = USES[r.nextInt(USES.length)];
                                double cost = level * Math.pow(trend, w) / members * (0.5 + r.nextDouble());
                                String time = day.atTime(9 + r.nextInt(9), r.nextInt(60)).atZone(zone).toInstant()
                                        .toString();
                                u.append("{\"id\":\"db-").append(team).append('-').append(day).append('-').append(m)
                                        .append('-').append(e).append("\",\"time\":\"").append(time)
                                        .append("\",\"user\":\"").append(email(team, m)).append("\",\"tool\":\"")
                                        .append(use[0]).append("\",\"model\":\"").append(use[1])
                                        .append("\",\"inputTokens\":").append((long) (cost * 20000))
                                        .append(",\"outputTokens\":").append((long) (cost * 3000))
                                        .append(",\"cacheReadTokens\":").append((long) (cost * 150000))
                                        .append(",\"costUsd\":").append(String.format("%.4f", cost))
                                        .append(",\"requests\":").append(1 + r.nextInt(20)).append("}\n");
                                nu++;
                            }
                            if (r.nextDouble() < 0.3) {
                                o.append("{\"id\":\"do-").append(team).append('-').append(day).append('-').append(m)
                                        .append("\",\"time\":\"").append(day.atTime(15, 0).atZone(zone).toInstant())
                                        .append("\",\"user\":\"").append(email(team, m)).append("\",\"kind\":\"")
                                        .append(KINDS[r.nextInt(KINDS.length)]).append("\",\"aiAssisted\":")
                                        .append(r.nextBoolean()).append("}\n");
                                no++;
                            }
                        }
                        if (nu >= 1000) {
                            send("POST", base + "/api/v1/usage-events", token, "application/x-ndjson", u.toString(),
                                    202);
                            usage.addAndGet(nu);
                            u.setLength(0);
                            nu = 0;
                        }
                    }
                }
                if (nu > 0) {
                    send("POST", base + "/api/v1/usage-events", token, "application/x-ndjson", u.toString(), 202);
                    usage.addAndGet(nu);
                }
                if (no > 0) {
                    send("POST", base + "/api/v1/outcome-events", token, "application/x-ndjson", o.toString(), 202);
                    outcomes.addAndGet(no);
                }
                return null;
            }));
        }
        await(work);
        pool.shutdown();
        long tEvents = System.nanoTime();
        System.out.printf("teams=%d members=%d weeks=%d usage_events=%d outcome_events=%d people_s=%.1f events_s=%.1f%n",
                teams, teams * members, weeks, usage.get(), outcomes.get(), (tPeople - t0) / 1e9,
                (tEvents - tPeople) / 1e9);
    }

    private static String email(int team, int member) {
        return "m" + member + ".t" + team + "@bench.example.com";
    }

    private static void await(List<Future<?>> work) throws Exception {
        for (Future<?> f : work) {
            f.get();
        }
    }

    static String send(String method, String url, String token, String type, String body, int expected) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                    .header("Authorization", "Bearer " + token).header("Content-Type", type)
                    .method(method, HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != expected && !(expected == 201 && r.statusCode() == 200)) {
                throw new IllegalStateException(method + " " + url + " answered " + r.statusCode() + ": " + r.body());
            }
            return r.body();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
