import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * /ai-spend ack time: signed slash commands, sequential, from one client on loopback, for a member
 * of a team whose ledger holds millions of events. Also runs the fake Slack Web API the service
 * needs for Bolt's auth.test.
 *
 * <p>Usage: java bench/src/AiSpendBench.java BASE_URL ADMIN_TOKEN SIGNING_SECRET FAKE_SLACK_PORT TEAM EMAIL [N] [WARMUP]
 * Prints one line: {@code aispend n=.. p50_ms=.. p99_ms=.. max_ms=..}.
 */
public class AiSpendBench {

    public static void main(String[] args) throws Exception {
        String base = args[0];
        String admin = args[1];
        String secret = args[2];
        int fakePort = Integer.parseInt(args[3]);
        String team = args[4];
        String email = args[5];
        int n = args.length > 6 ? Integer.parseInt(args[6]) : 500;
        int warmup = args.length > 7 ? Integer.parseInt(args[7]) : 50;

        HttpServer fake = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), fakePort), 0);
        fake.createContext("/api/", ex -> {
            ex.getRequestBody().readAllBytes();
            byte[] body = ("{\"ok\":true,\"url\":\"https://bench.slack.com/\",\"team\":\"Bench\",\"user\":\"yardstick\","
                    + "\"team_id\":\"TBENCH\",\"user_id\":\"UBOT\",\"bot_id\":\"BBOT\"}").getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        fake.start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            String slackUser = "UBENCH0001";
            HttpResponse<String> link = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/members/" + email))
                    .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"displayName\":\"Bench\",\"team\":\"" + team
                            + "\",\"slackUserId\":\"" + slackUser + "\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (link.statusCode() / 100 != 2) {
                throw new IllegalStateException("linking the member failed: " + link.statusCode() + " " + link.body());
            }
            List<Double> ms = new ArrayList<>();
            for (int i = 0; i < warmup + n; i++) {
                String form = "token=x&team_id=TBENCH&team_domain=bench&channel_id=C1&channel_name=general&user_id="
                        + slackUser + "&user_name=bench&command=" + URLEncoder.encode("/ai-spend", StandardCharsets.UTF_8)
                        + "&text=&api_app_id=A1&is_enterprise_install=false&response_url="
                        + URLEncoder.encode("http://127.0.0.1:" + fakePort + "/respond/" + i, StandardCharsets.UTF_8)
                        + "&trigger_id=1.2.3";
                long ts = Instant.now().getEpochSecond();
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
                String sig = "v0=" + HexFormat.of().formatHex(mac.doFinal(("v0:" + ts + ":" + form)
                        .getBytes(StandardCharsets.UTF_8)));
                HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/slack/events"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("X-Slack-Request-Timestamp", Long.toString(ts)).header("X-Slack-Signature", sig)
                        .POST(HttpRequest.BodyPublishers.ofString(form)).build();
                long t0 = System.nanoTime();
                HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                double took = (System.nanoTime() - t0) / 1e6;
                if (r.statusCode() != 200 || !r.body().contains("Your AI use")) {
                    throw new IllegalStateException("unexpected answer " + r.statusCode() + ": " + r.body());
                }
                if (i >= warmup) {
                    ms.add(took);
                }
            }
            Collections.sort(ms);
            System.out.printf("aispend n=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f%n", ms.size(),
                    ms.get(ms.size() / 2), ms.get((int) Math.ceil(ms.size() * 0.99) - 1), ms.get(ms.size() - 1));
        } finally {
            fake.stop(0);
        }
    }
}
