package dev.yardstick.chat.slack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A fake Slack Web API on loopback that answers in Slack's documented shapes and records every
 * call the service makes, including posts to response URLs ({@code /respond/...}).
 */
public final class FakeSlack {

    /**
     * One recorded call: the API method (or {@code respond}), its parameters, its token, and when it
     * arrived (epoch milliseconds).
     */
    public record Call(String method, Map<String, String> params, String body, String authorization, long at) {

        Call(String method, Map<String, String> params, String body, String authorization) {
            this(method, params, body, authorization, System.currentTimeMillis());
        }

        /** A parameter, or for JSON bodies a top-level field as text. */
        public String param(String name) {
            return params.get(name);
        }
    }

    /** The enterprise of the org-wide (Enterprise Grid) install that codes starting with {@code org-} make. */
    public static final String ENTERPRISE = "E0GRID";
    /** The bot token of that org-wide install. */
    public static final String ORG_TOKEN = "xoxb-org-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final Map<String, String> emails = new ConcurrentHashMap<>();
    private final Map<String, String> names = new ConcurrentHashMap<>();
    /** User group id -> its members' user ids (what usergroups.users.list answers). */
    private final Map<String, List<String>> usergroups = new ConcurrentHashMap<>();
    private final AtomicInteger ts = new AtomicInteger(1000);
    private final AtomicInteger rateLimitNext = new AtomicInteger();
    private final AtomicInteger failNext = new AtomicInteger();
    /** Conversation id -> messages posted there, oldest first (what conversations.history reads). */
    private final Map<String, List<ObjectNode>> history = new ConcurrentHashMap<>();
    private final Map<String, String> fileNames = new ConcurrentHashMap<>();
    private final Map<String, Hold> holds = new ConcurrentHashMap<>();
    private volatile Slow slow;
    /** How the next {@code chat.postMessage} calls go, one entry each: {answer delay in ms, 1 to drop}. */
    private final java.util.Queue<long[]> nextPosts = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final List<Call> unanswered = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.ScheduledExecutorService later = Executors.newScheduledThreadPool(4, r -> {
        Thread t = new Thread(r, "fake-slack-later");
        t.setDaemon(true);
        return t;
    });

    /** How slow {@code chat.postMessage} is (see {@link #slowPosts}). */
    private record Slow(long minMillis, long maxMillis, double dropRate, java.util.Random random) {
    }

    /**
     * A call held open by {@link #holdNext}: it blocks until {@link #release()} (or forever, as when
     * the caller is killed), having been carried out first or not at all.
     */
    public static final class Hold {

        private final boolean carriedOut;
        private final java.util.concurrent.CountDownLatch arrived = new java.util.concurrent.CountDownLatch(1);
        private final java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);

        private Hold(boolean carriedOut) {
            this.carriedOut = carriedOut;
        }

        /** Waits until the held call has arrived. */
        public boolean awaitArrival(java.time.Duration timeout) throws InterruptedException {
            return arrived.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        /** Lets the held call answer (its caller may be gone by then). */
        public void release() {
            released.countDown();
        }
    }

    public FakeSlack() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/api/", this::api);
        server.createContext("/respond/", this::respond);
        server.createContext("/upload/", this::upload);
        server.start();
    }

    /** The Web API base URL, as {@code SLACK_API_URL} takes it. */
    public String apiUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/api/";
    }

    /** A response URL that records what is posted to it. */
    public String responseUrl(String id) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/respond/" + id;
    }

    /** Makes {@code users.info} and {@code users.lookupByEmail} know a user. */
    public void user(String userId, String email) {
        emails.put(userId, email);
    }

    /** Makes {@code users.info} know a user with a full name ({@code real_name}). */
    public void user(String userId, String email, String realName) {
        emails.put(userId, email);
        names.put(userId, realName);
    }

    /** Makes {@code usergroups.users.list} answer these members for the group (replacing earlier ones). */
    public void usergroup(String groupId, String... userIds) {
        usergroups.put(groupId, List.of(userIds));
    }

    /**
     * Makes every {@code chat.postMessage} take between {@code min} and {@code max} to answer (drawn
     * from a seeded random), as Slack does on a bad day. As with Slack, the message appears in the
     * conversation's history only when the call is answered; with probability {@code dropRate} the
     * connection is then dropped instead of answering (the message is posted, the caller doesn't know).
     */
    public void slowPosts(java.time.Duration min, java.time.Duration max, double dropRate, long seed) {
        slow = new Slow(min.toMillis(), max.toMillis(), dropRate, new java.util.Random(seed));
    }

    /**
     * The next {@code chat.postMessage} is answered after {@code delay}, posted when answered; with
     * {@code drop} the connection is then closed without an answer (the message is posted all the same).
     */
    public void nextPost(java.time.Duration delay, boolean drop) {
        nextPosts.add(new long[]{delay.toMillis(), drop ? 1 : 0});
    }

    /** Calls that arrived and are not answered yet (slow posts). */
    public List<Call> unanswered() {
        return List.copyOf(unanswered);
    }

    /** The next {@code n} {@code chat.postMessage} calls answer 429 with {@code Retry-After: 1}. */
    public void rateLimitNext(int n) {
        rateLimitNext.set(n);
    }

    /** The next {@code n} {@code chat.postMessage} calls answer 503, as Slack does when it is unwell. */
    public void failNext(int n) {
        failNext.set(n);
    }

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    public List<Call> calls(String method) {
        return calls.stream().filter(c -> c.method().equals(method)).toList();
    }

    public List<Call> calls(String method, Predicate<Call> filter) {
        return calls.stream().filter(c -> c.method().equals(method)).filter(filter).toList();
    }

    public void reset() {
        calls.clear();
        rateLimitNext.set(0);
        failNext.set(0);
        holds.values().forEach(Hold::release);
        holds.clear();
        nextPosts.clear();
    }

    /**
     * Holds the next call of {@code method} open. With {@code carriedOut} Slack does what was asked
     * (the message is posted) before the answer hangs, as when the caller dies after sending; without
     * it the call never takes effect, as when the caller dies before the request gets through.
     */
    public Hold holdNext(String method, boolean carriedOut) {
        Hold h = new Hold(carriedOut);
        holds.put(method, h);
        return h;
    }

    /** The messages in a conversation, oldest first, as {@code conversations.history} sees them. */
    public List<ObjectNode> history(String conversation) {
        return List.copyOf(history.getOrDefault(conversation, List.of()));
    }

    public void stop() {
        server.stop(0);
        later.shutdownNow();
    }

    private void api(HttpExchange ex) throws IOException {
        String method = ex.getRequestURI().getPath().substring("/api/".length());
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, String> params = parse(ex, body);
        Call call = new Call(method, params, body, ex.getRequestHeaders().getFirst("Authorization"));
        if (method.equals("chat.postMessage") && rateLimitNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            calls.add(new Call(method + ":429", params, body, call.authorization()));
            ex.getResponseHeaders().add("Retry-After", "1");
            send(ex, 429, "{\"ok\":false,\"error\":\"ratelimited\"}");
            return;
        }
        if (method.equals("chat.postMessage") && failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            calls.add(new Call(method + ":503", params, body, call.authorization()));
            send(ex, 503, "{\"ok\":false,\"error\":\"service_unavailable\"}");
            return;
        }
        Slow s = slow;
        long[] next = method.equals("chat.postMessage") ? nextPosts.poll() : null;
        if (next != null || s != null && method.equals("chat.postMessage")) {
            long delay;
            boolean drop;
            if (next != null) {
                delay = next[0];
                drop = next[1] == 1;
            } else {
                synchronized (s.random()) {
                    delay = s.minMillis() + (long) (s.random().nextDouble() * (s.maxMillis() - s.minMillis()));
                    drop = s.random().nextDouble() < s.dropRate();
                }
            }
            calls.add(call);
            unanswered.add(call);
            later.schedule(() -> {
                unanswered.remove(call);
                String answer = answer(method, params, call.authorization());
                if (drop) {
                    calls.add(new Call(method + ":dropped", params, body, call.authorization()));
                    ex.close(); // no response sent: the connection is closed
                    return;
                }
                try {
                    send(ex, 200, answer);
                } catch (IOException e) {
                    // the caller is gone (killed, or it gave up); the message is posted all the same
                }
            }, delay, java.util.concurrent.TimeUnit.MILLISECONDS);
            return;
        }
        Hold hold = holds.remove(method);
        if (hold != null) {
            if (hold.carriedOut) {
                calls.add(call);
                answer(method, params, call.authorization());
            }
            hold.arrived.countDown();
            try {
                hold.released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            send(ex, 500, "{\"ok\":false,\"error\":\"fatal_error\"}");
            return;
        }
        calls.add(call);
        send(ex, 200, answer(method, params, call.authorization()));
    }

    /** What Slack answers (and records in conversation history) for a call. */
    private String answer(String method, Map<String, String> params, String authorization) {
        String answer = switch (method) {
            case "auth.test" -> ("Bearer " + ORG_TOKEN).equals(authorization)
                    ? "{\"ok\":true,\"url\":\"https://starship.enterprise.slack.com/\",\"team\":\"Starship\","
                            + "\"user\":\"yardstick\",\"user_id\":\"WBOTORG\",\"bot_id\":\"BORG\","
                            + "\"enterprise_id\":\"" + ENTERPRISE + "\",\"is_enterprise_install\":true}"
                    : "{\"ok\":true,\"url\":\"https://acme.slack.com/\",\"team\":\"Acme\",\"user\":\"yardstick\","
                            + "\"team_id\":\"T0001\",\"user_id\":\"UBOT\",\"bot_id\":\"BBOT\",\"is_enterprise_install\":false}";
            case "chat.postMessage" -> {
                String channel = conversationOf(params.get("channel"));
                ObjectNode msg = JSON.createObjectNode().put("type", "message").put("bot_id", "BBOT")
                        .put("ts", nextTs()).put("text", params.getOrDefault("text", ""));
                if (params.containsKey("metadata")) {
                    try {
                        msg.set("metadata", JSON.readTree(params.get("metadata")));
                    } catch (IOException e) {
                        yield "{\"ok\":false,\"error\":\"invalid_metadata_format\"}";
                    }
                }
                history.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(msg);
                yield "{\"ok\":true,\"channel\":\"" + channel + "\",\"ts\":\"" + msg.get("ts").asText()
                        + "\",\"message\":{\"text\":\"\"}}";
            }
            case "chat.update" -> "{\"ok\":true,\"channel\":\"" + channelOf(params) + "\",\"ts\":\""
                    + params.get("ts") + "\",\"message\":{\"text\":\"\"}}";
            case "conversations.open" -> "{\"ok\":true,\"channel\":{\"id\":\"" + conversationOf(params.get("users"))
                    + "\"}}";
            case "conversations.history" -> {
                double oldest = params.containsKey("oldest") ? Double.parseDouble(params.get("oldest")) : 0;
                boolean withMetadata = "true".equals(params.get("include_all_metadata")) || "1".equals(
                        params.get("include_all_metadata"));
                com.fasterxml.jackson.databind.node.ArrayNode messages = JSON.createArrayNode();
                List<ObjectNode> all = new ArrayList<>(history.getOrDefault(params.get("channel"), List.of()));
                java.util.Collections.reverse(all);
                for (ObjectNode m : all) {
                    if (Double.parseDouble(m.get("ts").asText()) > oldest) {
                        ObjectNode copy = m.deepCopy();
                        if (!withMetadata && copy.has("metadata")) {
                            ((ObjectNode) copy.get("metadata")).remove("event_payload");
                        }
                        messages.add(copy);
                    }
                }
                yield "{\"ok\":true,\"messages\":" + messages + ",\"has_more\":false,"
                        + "\"response_metadata\":{\"next_cursor\":\"\"}}";
            }
            case "views.publish", "views.open" -> "{\"ok\":true,\"view\":{\"id\":\"V1\"}}";
            case "users.info" -> {
                String id = params.get("user");
                if (!emails.containsKey(id)) {
                    yield "{\"ok\":false,\"error\":\"user_not_found\"}";
                }
                String name = names.get(id);
                ObjectNode user = JSON.createObjectNode().put("id", id).put("team_id", "T0001")
                        .put("name", emails.get(id).split("@")[0]).put("deleted", false).put("is_bot", false);
                if (name != null) {
                    user.put("real_name", name);
                }
                ObjectNode profile = user.putObject("profile").put("email", emails.get(id));
                if (name != null) {
                    profile.put("real_name", name).put("display_name", name.split(" ")[0]);
                }
                yield JSON.createObjectNode().put("ok", true).<ObjectNode>set("user", user).toString();
            }
            case "usergroups.users.list" -> {
                List<String> members = usergroups.get(params.get("usergroup"));
                yield members == null
                        ? "{\"ok\":false,\"error\":\"no_such_subteam\"}"
                        : JSON.createObjectNode().put("ok", true)
                                .<ObjectNode>set("users", JSON.valueToTree(members)).toString();
            }
            case "users.lookupByEmail" -> emails.entrySet().stream()
                    .filter(e -> e.getValue().equalsIgnoreCase(params.get("email"))).findFirst()
                    .map(e -> "{\"ok\":true,\"user\":{\"id\":\"" + e.getKey()
                            + "\",\"team_id\":\"T0001\",\"profile\":{\"email\":\""
                            + e.getValue() + "\"}}}")
                    .orElse("{\"ok\":false,\"error\":\"users_not_found\"}");
            case "files.getUploadURLExternal" -> {
                String id = "F" + ts.incrementAndGet();
                fileNames.put(id, params.getOrDefault("filename", "file"));
                yield "{\"ok\":true,\"upload_url\":\"http://127.0.0.1:" + server.getAddress().getPort() + "/upload/"
                        + id + "\",\"file_id\":\"" + id + "\"}";
            }
            case "files.completeUploadExternal" -> {
                String id;
                try {
                    id = JSON.readTree(params.get("files")).get(0).get("id").asText();
                } catch (IOException | RuntimeException e) {
                    yield "{\"ok\":false,\"error\":\"invalid_arguments\"}";
                }
                if (params.containsKey("channel_id")) {
                    ObjectNode msg = JSON.createObjectNode().put("type", "message").put("bot_id", "BBOT")
                            .put("ts", nextTs()).put("text", "");
                    msg.putArray("files").addObject().put("id", id).put("name", fileNames.get(id))
                            .put("title", params.getOrDefault("title", "chart"));
                    history.computeIfAbsent(params.get("channel_id"), c -> new CopyOnWriteArrayList<>()).add(msg);
                }
                yield "{\"ok\":true,\"files\":[{\"id\":\"" + id + "\",\"title\":\"chart\"}]}";
            }
            // an org-wide install on Enterprise Grid: Slack's documented shape, team null
            case "oauth.v2.access" -> params.getOrDefault("code", "").startsWith("org-")
                    ? "{\"ok\":true,\"access_token\":\"" + ORG_TOKEN + "\",\"token_type\":\"bot\","
                            + "\"scope\":\"commands,chat:write,users:read,users:read.email\",\"bot_user_id\":\"WBOTORG\","
                            + "\"app_id\":\"A0001\",\"team\":null,\"enterprise\":{\"id\":\"" + ENTERPRISE
                            + "\",\"name\":\"Starship\"},\"is_enterprise_install\":true,"
                            + "\"authed_user\":{\"id\":\"WINSTALLER\"}}"
                    : "{\"ok\":true,\"app_id\":\"A0001\",\"authed_user\":{\"id\":\"UINSTALLER\"},"
                            + "\"scope\":\"commands,chat:write,users:read,users:read.email\",\"token_type\":\"bot\","
                            + "\"access_token\":\"xoxb-installed-token\",\"bot_user_id\":\"UBOT2\","
                            + "\"team\":{\"id\":\"T0OAUTH\",\"name\":\"Oauth Co\"},\"enterprise\":null,\"is_enterprise_install\":false}";
            default -> "{\"ok\":false,\"error\":\"unknown_method\"}";
        };
        return answer;
    }

    /** A message timestamp as Slack writes it: epoch seconds, a dot, six digits unique per message. */
    private String nextTs() {
        return String.format("%d.%06d", java.time.Instant.now().getEpochSecond(), ts.incrementAndGet() % 1_000_000);
    }

    /** A user id's DM conversation (D + user id), as Slack answers; other ids as they are. */
    private static String conversationOf(String target) {
        return target != null && (target.startsWith("U") || target.startsWith("W")) ? "D" + target : target;
    }

    private void respond(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, String> params = new ConcurrentHashMap<>();
        params.put("id", ex.getRequestURI().getPath().substring("/respond/".length()));
        calls.add(new Call("respond", params, body, null));
        send(ex, 200, "ok");
    }

    private void upload(HttpExchange ex) throws IOException {
        byte[] bytes = ex.getRequestBody().readAllBytes();
        Map<String, String> params = new ConcurrentHashMap<>();
        params.put("id", ex.getRequestURI().getPath().substring("/upload/".length()));
        params.put("length", Integer.toString(bytes.length));
        params.put("png", Boolean.toString(bytes.length > 8 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G'));
        calls.add(new Call("upload", params, "", null));
        send(ex, 200, "OK - " + bytes.length);
    }

    private static String channelOf(Map<String, String> params) {
        String c = params.get("channel");
        return c == null ? "C0" : c;
    }

    private static Map<String, String> parse(HttpExchange ex, String body) {
        Map<String, String> params = new ConcurrentHashMap<>();
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        if (type != null && type.startsWith("application/json")) {
            try {
                JsonNode node = JSON.readTree(body);
                node.fields().forEachRemaining(e -> params.put(e.getKey(),
                        e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()));
            } catch (IOException ignored) {
                // recorded raw in the body
            }
        } else {
            String query = ex.getRequestURI().getRawQuery();
            List<String> parts = new ArrayList<>();
            if (query != null) {
                parts.addAll(List.of(query.split("&")));
            }
            if (!body.isEmpty()) {
                parts.addAll(List.of(body.split("&")));
            }
            for (String kv : parts) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    params.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return params;
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
