package dev.yardstick.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Helm chart in {@code helm/yardstick}: linted and rendered by the Helm library (helm-java, no
 * helm binary, no cluster), then read back as Kubernetes objects. Plain JUnit: Quarkus does not start.
 */
class HelmChartTest {

    static final Path CHART = Path.of("helm/yardstick");
    static final Path PRODUCTION = CHART.resolve("ci/values-production.yaml");
    static final YAMLMapper YAML = new YAMLMapper();
    /** Every environment variable that carries a secret. */
    static final Set<String> SECRET_ENV = Set.of("QUARKUS_DATASOURCE_PASSWORD", "YARDSTICK_ADMIN_TOKEN",
            "YARDSTICK_READER_TOKEN", "YARDSTICK_SCIM_TOKEN",
            "SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "TEAMS_APP_PASSWORD",
            "GITHUB_WEBHOOK_SECRET", "LINEAR_WEBHOOK_SECRET", "JIRA_WEBHOOK_SECRET", "ANTHROPIC_ADMIN_KEY",
            "OPENAI_ADMIN_KEY", "CURSOR_ADMIN_KEY", "GITHUB_TOKEN", "LITELLM_MASTER_KEY");

    @TempDir
    Path tmp;

    @Test
    void theChartLints() throws IOException {
        // helm lint renders with the chart's own values, which (on purpose) have no database host:
        // lint a copy that names one.
        Path copy = tmp.resolve("yardstick");
        copyTree(CHART, copy);
        Path values = copy.resolve("values.yaml");
        String text = Files.readString(values);
        String withHost = text.replaceFirst("(?m)^  host: \"\"$", "  host: db.example.internal");
        assertFalse(text.equals(withHost), "values.yaml has postgresql.host: \"\"");
        Files.writeString(values, withHost);

        LintResult lint = new Helm(copy).lint().strict().call();
        assertFalse(lint.isFailed(), () -> String.join("\n", lint.getMessages()));
    }

    @Test
    void defaultsRenderAHardenedSingleReplicaOnTheExternalDatabase() {
        Rendered r = render(t -> t.set("postgresql.host", "db.example.internal"));

        JsonNode deployment = r.one("Deployment");
        assertEquals(1, deployment.at("/spec/replicas").asInt());
        JsonNode pod = deployment.at("/spec/template/spec");
        JsonNode container = pod.at("/containers/0");
        assertEquals("yardstick/yardstick:" + pomVersion(), container.at("/image").asText());

        assertProbes(container);
        assertHardened(pod, container);

        Map<String, JsonNode> env = env(container);
        assertEquals("jdbc:postgresql://db.example.internal:5432/yardstick",
                env.get("QUARKUS_DATASOURCE_JDBC_URL").at("/value").asText());
        assertEquals("yardstick", env.get("QUARKUS_DATASOURCE_USERNAME").at("/value").asText());
        assertSecretsOnlyByReference(r);
        assertNull(env.get("QUARKUS_DATASOURCE_PASSWORD"), "no password given, none referenced");

        JsonNode config = r.one("ConfigMap").at("/data");
        assertEquals("false", config.at("/YARDSTICK_PREVIEW_ENABLED").asText());
        assertEquals("false", config.at("/YARDSTICK_DEMO").asText());
        assertEquals("false", config.at("/YARDSTICK_SWAGGER_UI").asText());
        assertEquals("true", config.at("/YARDSTICK_JOBS_ENABLED").asText());
        assertEquals("https://slack.com/api/", config.at("/SLACK_API_URL").asText());
        assertTrue(config.at("/YARDSTICK_DATA_DIR").isMissingNode(), "the embedded database is never used");
        assertTrue(config.at("/SLACK_REDIRECT_URI").isMissingNode(), "empty settings are left out");
        // on SIGTERM: readiness DOWN while serving, then requests in flight, then the runaway hand-over (10 s)
        long stopping = java.time.Duration.parse("PT" + config.at("/QUARKUS_SHUTDOWN_DELAY").asText()).toSeconds()
                + java.time.Duration.parse("PT" + config.at("/QUARKUS_SHUTDOWN_TIMEOUT").asText()).toSeconds() + 10;
        assertEquals(25, stopping);
        assertTrue(stopping < pod.at("/terminationGracePeriodSeconds").asLong(), "stopped before SIGKILL");

        JsonNode service = r.one("Service");
        assertEquals("http", service.at("/spec/ports/0/targetPort").asText());
        assertEquals(8080, container.at("/ports/0/containerPort").asInt());

        assertEquals(List.of(), r.all("Secret"), "nothing secret was given inline");
        assertEquals(List.of(), r.all("PodDisruptionBudget"), "one replica: no PDB");
        assertEquals(List.of(), r.all("HorizontalPodAutoscaler"));
        assertEquals(List.of(), r.all("Ingress"));
        assertEquals(List.of(), r.all("ServiceMonitor"));
    }

    @Test
    void inlineSecretsGoToTheChartsSecretAndAreReadByReference() throws IOException {
        Rendered r = render(t -> t.set("postgresql.host", "db").set("postgresql.password", "pg-pass-1")
                .set("admin.token", "admin-token-1").set("admin.scimToken", "scim-token-1")
                .set("slack.signingSecret", "signing-1")
                .set("slack.botToken", "xoxb-1").set("connectors.githubToken", "ghp-1"));

        JsonNode secret = r.one("Secret");
        String name = secret.at("/metadata/name").asText();
        JsonNode data = secret.at("/data");
        assertEquals(Set.of("QUARKUS_DATASOURCE_PASSWORD", "YARDSTICK_ADMIN_TOKEN", "YARDSTICK_SCIM_TOKEN",
                "SLACK_SIGNING_SECRET",
                "SLACK_BOT_TOKEN", "GITHUB_TOKEN"), fieldNames(data));
        assertEquals("admin-token-1", new String(java.util.Base64.getDecoder().decode(
                data.at("/YARDSTICK_ADMIN_TOKEN").asText()), StandardCharsets.UTF_8));

        Map<String, JsonNode> env = env(r.one("Deployment").at("/spec/template/spec/containers/0"));
        for (String key : fieldNames(data)) {
            assertEquals(name, env.get(key).at("/valueFrom/secretKeyRef/name").asText(), key);
            assertEquals(key, env.get(key).at("/valueFrom/secretKeyRef/key").asText(), key);
        }
        assertNull(env.get("SLACK_CLIENT_SECRET"), "values not given are not referenced");
        assertSecretsOnlyByReference(r);
        for (JsonNode doc : r.docs()) {
            if (!"Secret".equals(doc.path("kind").asText())) {
                String text = YAML.writeValueAsString(doc);
                for (String plain : List.of("pg-pass-1", "admin-token-1", "scim-token-1", "signing-1", "xoxb-1",
                        "ghp-1")) {
                    assertFalse(text.contains(plain), plain + " appears in a " + doc.path("kind").asText());
                }
            }
        }
    }

    @Test
    void productionValuesRenderAnHaDeploymentOnExistingSecrets() {
        Rendered r = render(t -> t.withValuesFile(PRODUCTION));

        assertEquals(List.of(), r.all("Secret"), "every secret comes from an existing Secret");
        assertSecretsOnlyByReference(r);

        JsonNode deployment = r.one("Deployment");
        assertTrue(deployment.at("/spec/replicas").isMissingNode(), "the HPA owns the replica count");
        JsonNode pod = deployment.at("/spec/template/spec");
        JsonNode container = pod.at("/containers/0");
        assertProbes(container);
        assertHardened(pod, container);
        assertEquals("registry.example.com/yardstick/yardstick:" + pomVersion(), container.at("/image").asText());

        Map<String, JsonNode> env = env(container);
        assertEquals("jdbc:postgresql://yardstick-db.databases.svc.cluster.local:5432/yardstick?sslmode=require",
                env.get("QUARKUS_DATASOURCE_JDBC_URL").at("/value").asText());
        assertEquals("yardstick-postgresql", env.get("QUARKUS_DATASOURCE_PASSWORD")
                .at("/valueFrom/secretKeyRef/name").asText());
        assertEquals("password", env.get("QUARKUS_DATASOURCE_PASSWORD").at("/valueFrom/secretKeyRef/key").asText());
        Map<String, String> secretOf = Map.ofEntries(Map.entry("YARDSTICK_ADMIN_TOKEN", "yardstick-admin"),
                Map.entry("YARDSTICK_SCIM_TOKEN", "yardstick-admin"),
                Map.entry("SLACK_SIGNING_SECRET", "yardstick-slack"), Map.entry("SLACK_BOT_TOKEN", "yardstick-slack"),
                Map.entry("SLACK_CLIENT_ID", "yardstick-slack"), Map.entry("SLACK_CLIENT_SECRET", "yardstick-slack"),
                Map.entry("TEAMS_APP_PASSWORD", "yardstick-teams"),
                Map.entry("GITHUB_WEBHOOK_SECRET", "yardstick-webhooks"),
                Map.entry("LINEAR_WEBHOOK_SECRET", "yardstick-webhooks"),
                Map.entry("JIRA_WEBHOOK_SECRET", "yardstick-webhooks"),
                Map.entry("ANTHROPIC_ADMIN_KEY", "yardstick-connectors"),
                Map.entry("OPENAI_ADMIN_KEY", "yardstick-connectors"),
                Map.entry("CURSOR_ADMIN_KEY", "yardstick-connectors"),
                Map.entry("GITHUB_TOKEN", "yardstick-connectors"));
        secretOf.forEach((key, secret) -> {
            assertNotNull(env.get(key), key);
            assertEquals(secret, env.get(key).at("/valueFrom/secretKeyRef/name").asText(), key);
            assertEquals(key, env.get(key).at("/valueFrom/secretKeyRef/key").asText(), key);
        });
        assertEquals("20", env.get("QUARKUS_DATASOURCE_JDBC_MAX_SIZE").at("/value").asText());

        JsonNode hpa = r.one("HorizontalPodAutoscaler");
        assertEquals("autoscaling/v2", hpa.at("/apiVersion").asText());
        assertEquals(3, hpa.at("/spec/minReplicas").asInt());
        assertEquals(8, hpa.at("/spec/maxReplicas").asInt());
        assertEquals(deployment.at("/metadata/name"), hpa.at("/spec/scaleTargetRef/name"));

        JsonNode pdb = r.one("PodDisruptionBudget");
        assertEquals(2, pdb.at("/spec/minAvailable").asInt());
        assertEquals(deployment.at("/spec/selector/matchLabels"), pdb.at("/spec/selector/matchLabels"));

        JsonNode ingress = r.one("Ingress");
        assertEquals("yardstick-tls", ingress.at("/spec/tls/0/secretName").asText());
        assertEquals("yardstick.example.com", ingress.at("/spec/rules/0/host").asText());

        JsonNode monitor = r.one("ServiceMonitor");
        assertEquals("monitoring.coreos.com/v1", monitor.at("/apiVersion").asText());
        assertEquals("/q/metrics", monitor.at("/spec/endpoints/0/path").asText());
        assertEquals("http", monitor.at("/spec/endpoints/0/port").asText());
        assertEquals("false", r.one("ConfigMap").at("/data/YARDSTICK_PREVIEW_ENABLED").asText());
    }

    @Test
    void severalReplicasWithoutAutoscalingGetAPodDisruptionBudget() {
        Rendered r = render(t -> t.set("postgresql.host", "db").set("replicaCount", 3));
        assertEquals(3, r.one("Deployment").at("/spec/replicas").asInt());
        assertEquals(1, r.one("PodDisruptionBudget").at("/spec/minAvailable").asInt());

        Rendered off = render(t -> t.set("postgresql.host", "db").set("replicaCount", 3)
                .set("podDisruptionBudget.enabled", false));
        assertEquals(List.of(), off.all("PodDisruptionBudget"));
    }

    @Test
    void renderingFailsWithoutADatabaseHost() {
        Exception e = assertThrows(Exception.class, () -> new Helm(CHART).template().withName("yardstick").call());
        assertTrue(e.getMessage().contains("postgresql.host is required"), e.getMessage());
    }

    @Test
    void theSchemaRejectsUnknownValues() {
        Exception e = assertThrows(Exception.class, () -> new Helm(CHART).template().withName("yardstick")
                .set("postgresql.host", "db").set("postgresql.hostname", "typo").call());
        assertTrue(e.getMessage().contains("hostname"), e.getMessage());
    }

    @Test
    void theChartFollowsThePomVersionAndDocumentsEveryValue() throws IOException {
        JsonNode chart = YAML.readTree(CHART.resolve("Chart.yaml").toFile());
        assertEquals("v2", chart.at("/apiVersion").asText());
        assertEquals(pomVersion(), chart.at("/appVersion").asText());

        String values = Files.readString(CHART.resolve("values.yaml"));
        Set<String> documented = new HashSet<>();
        Matcher m = Pattern.compile("(?m)^\\s*## @param (\\S+) \\S").matcher(values);
        while (m.find()) {
            documented.add(m.group(1));
        }
        JsonNode tree = YAML.readTree(values);
        JsonNode schema = new ObjectMapper().readTree(CHART.resolve("values.schema.json").toFile());
        List<String> paths = new ArrayList<>();
        leaves("", tree, paths);
        for (String path : paths) {
            assertTrue(documentedSelfOrParent(path, documented), path + " has no ## @param line in values.yaml");
            assertTrue(inSchema(schema, path.split("\\.")), path + " is not in values.schema.json");
        }
        for (String path : documented) {
            assertFalse(tree.at("/" + path.replace('.', '/')).isMissingNode(), "@param " + path + " names no value");
        }
    }

    static void assertProbes(JsonNode container) {
        assertEquals("/q/health/started", container.at("/startupProbe/httpGet/path").asText());
        assertEquals("/q/health/ready", container.at("/readinessProbe/httpGet/path").asText());
        assertEquals("/q/health/live", container.at("/livenessProbe/httpGet/path").asText());
        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            assertEquals("http", container.at("/" + probe + "/httpGet/port").asText(), probe);
        }
        assertEquals("http", container.at("/ports/0/name").asText());
        assertEquals(8080, container.at("/ports/0/containerPort").asInt());
    }

    static void assertHardened(JsonNode pod, JsonNode container) {
        assertTrue(pod.at("/securityContext/runAsNonRoot").asBoolean());
        assertEquals(185, pod.at("/securityContext/runAsUser").asInt());
        assertEquals("RuntimeDefault", pod.at("/securityContext/seccompProfile/type").asText());
        JsonNode sc = container.at("/securityContext");
        assertTrue(sc.at("/runAsNonRoot").asBoolean());
        assertEquals(185, sc.at("/runAsUser").asInt());
        assertTrue(sc.at("/readOnlyRootFilesystem").asBoolean());
        assertFalse(sc.at("/allowPrivilegeEscalation").asBoolean(true));
        assertEquals("[\"ALL\"]", sc.at("/capabilities/drop").toString());
        assertEquals("RuntimeDefault", sc.at("/seccompProfile/type").asText());
        assertFalse(pod.at("/automountServiceAccountToken").asBoolean(true));

        JsonNode tmpMount = null;
        for (JsonNode mount : container.at("/volumeMounts")) {
            if ("/tmp".equals(mount.at("/mountPath").asText())) {
                tmpMount = mount;
            }
        }
        assertNotNull(tmpMount, "an emptyDir at /tmp");
        boolean emptyDir = false;
        for (JsonNode volume : pod.at("/volumes")) {
            if (volume.at("/name").equals(tmpMount.at("/name"))) {
                emptyDir = volume.has("emptyDir");
            }
        }
        assertTrue(emptyDir, "/tmp is an emptyDir");

        assertFalse(container.at("/resources/requests/cpu").isMissingNode());
        assertFalse(container.at("/resources/requests/memory").isMissingNode());
        assertFalse(container.at("/resources/limits/memory").isMissingNode());
    }

    /** Every secret env is read from a Secret, never inlined; the ConfigMap holds none. */
    static void assertSecretsOnlyByReference(Rendered r) {
        for (JsonNode container : r.one("Deployment").at("/spec/template/spec/containers")) {
            for (JsonNode e : container.at("/env")) {
                String name = e.at("/name").asText();
                if (SECRET_ENV.contains(name)) {
                    assertTrue(e.at("/value").isMissingNode(), name + " has an inline value");
                    assertFalse(e.at("/valueFrom/secretKeyRef/name").asText().isEmpty(), name);
                    assertFalse(e.at("/valueFrom/secretKeyRef/key").asText().isEmpty(), name);
                }
            }
        }
        for (JsonNode config : r.all("ConfigMap")) {
            for (String name : fieldNames(config.at("/data"))) {
                assertFalse(SECRET_ENV.contains(name), name + " is in a ConfigMap");
            }
        }
    }

    record Rendered(List<JsonNode> docs) {

        List<JsonNode> all(String kind) {
            return docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
        }

        JsonNode one(String kind) {
            List<JsonNode> found = all(kind);
            assertEquals(1, found.size(), "one " + kind);
            return found.get(0);
        }
    }

    static Rendered render(UnaryOperator<TemplateCommand> options) {
        String yaml = options.apply(new Helm(CHART).template().withName("yardstick").withNamespace("ys")).call();
        List<JsonNode> docs = new ArrayList<>();
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && doc.isObject() && doc.has("kind")) {
                    docs.add(doc);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(yaml, e);
        }
        assertFalse(docs.isEmpty(), yaml);
        return new Rendered(docs);
    }

    static Map<String, JsonNode> env(JsonNode container) {
        Map<String, JsonNode> env = new java.util.LinkedHashMap<>();
        for (JsonNode e : container.at("/env")) {
            assertNull(env.put(e.at("/name").asText(), e), "env " + e.at("/name").asText() + " twice");
        }
        return env;
    }

    static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new java.util.TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    static String pomVersion() {
        try {
            String pom = Files.readString(Path.of("pom.xml"));
            Matcher m = Pattern.compile("<artifactId>yardstick</artifactId>\\s*<version>([^<]+)</version>")
                    .matcher(pom);
            assertTrue(m.find(), "the project version in pom.xml");
            return m.group(1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Paths of values.yaml's leaves; empty maps and lists count as leaves. */
    static void leaves(String prefix, JsonNode node, List<String> out) {
        if (node.isObject() && node.size() > 0) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                var f = fields.next();
                leaves(prefix.isEmpty() ? f.getKey() : prefix + "." + f.getKey(), f.getValue(), out);
            }
        } else {
            out.add(prefix);
        }
    }

    static boolean documentedSelfOrParent(String path, Set<String> documented) {
        for (String p = path; !p.isEmpty(); p = p.contains(".") ? p.substring(0, p.lastIndexOf('.')) : "") {
            if (documented.contains(p)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the schema names this path, down to a level it leaves open (an object without properties). */
    static boolean inSchema(JsonNode schema, String[] path) {
        JsonNode node = schema;
        for (String key : path) {
            JsonNode props = node.path("properties");
            if (props.has(key)) {
                node = props.get(key);
            } else {
                return props.isMissingNode() && !node.path("additionalProperties").isBoolean();
            }
        }
        return true;
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
