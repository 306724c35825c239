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
    static final Path PRODUCTION = CHART.resolve("ci/production-values.yaml");
    static final YAMLMapper YAML = new YAMLMapper();
    /** Every environment variable that carries a secret. */
    static final Set<String> SECRET_ENV = Set.of("QUARKUS_DATASOURCE_PASSWORD", "YARDSTICK_ADMIN_TOKEN",
            "YARDSTICK_READER_TOKEN", "YARDSTICK_SCIM_TOKEN",
            "SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "TEAMS_APP_PASSWORD",
            "GITHUB_WEBHOOK_SECRET", "LINEAR_WEBHOOK_SECRET", "JIRA_WEBHOOK_SECRET", "ANTHROPIC_ADMIN_KEY",
            "OPENAI_ADMIN_KEY", "CURSOR_ADMIN_KEY", "GITHUB_TOKEN", "LITELLM_MASTER_KEY",
            "LITELLM_WEBHOOK_SECRET", "YARDSTICK_IMAGES_SECRET");

    @TempDir
    Path tmp;

    @Test
    void theChartLints() throws IOException {
        // helm lint renders with the chart's own values, which (on purpose) have no database host:
        // lint a copy that names one.
        Path copy = tmp.resolve("yardstick");
        copyTree(CHART, copy);
        withoutKubeVersion(copy);
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
        Exception e = assertThrows(Exception.class,
                () -> new Helm(renderable()).template().withName("yardstick").call());
        assertTrue(e.getMessage().contains("postgresql.host is required"), e.getMessage());
    }

    @Test
    void theSchemaRejectsUnknownValues() {
        Exception e = assertThrows(Exception.class, () -> new Helm(renderable()).template().withName("yardstick")
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

    @Test
    void theChartIsDescribedAsChartRepositoriesExpect() throws IOException {
        JsonNode chart = YAML.readTree(CHART.resolve("Chart.yaml").toFile());
        assertTrue(chart.at("/home").asText().startsWith("https://"), "home");
        assertTrue(chart.at("/sources").isArray() && chart.at("/sources/0").asText().startsWith("https://"),
                "sources");
        assertTrue(chart.at("/icon").asText().matches("https://.+\\.(png|svg)"), "icon");
        assertEquals(">=1.23.0-0", chart.at("/kubeVersion").asText());

        // chart-testing lints and installs with every ci/*-values.yaml: each is named so and renders
        List<Path> ci;
        try (Stream<Path> files = Files.list(CHART.resolve("ci"))) {
            ci = files.sorted().toList();
        }
        assertTrue(ci.size() >= 3, ci.toString());
        Set<String> apiVersions = new HashSet<>();
        for (Path values : ci) {
            assertTrue(values.getFileName().toString().endsWith("-values.yaml"), values + " is not *-values.yaml");
            Rendered r = render(t -> t.withValuesFile(values));
            assertFalse(r.all("Deployment").isEmpty(), values.toString());
            r.docs().forEach(d -> apiVersions.add(d.at("/apiVersion").asText()));
        }
        // all served by Kubernetes 1.23, the chart's kubeVersion
        assertEquals(Set.of(), apiVersions.stream().filter(v -> !Set.of("v1", "apps/v1", "autoscaling/v2",
                "policy/v1", "networking.k8s.io/v1", "monitoring.coreos.com/v1").contains(v))
                .collect(java.util.stream.Collectors.toSet()));
        assertTrue(apiVersions.containsAll(Set.of("autoscaling/v2", "networking.k8s.io/v1")), apiVersions.toString());
    }

    @Test
    void helmTestAsksTheServicesReadinessFromAHardenedPodOutsideTheService() {
        assertTrue(render(t -> t.set("postgresql.host", "db")).all("Pod").isEmpty(), "a hook, not a manifest");
        Rendered r = renderWithHooks(t -> t.set("postgresql.host", "db").set("service.port", 8081));
        List<JsonNode> tests = r.all("Pod").stream()
                .filter(p -> "test".equals(p.at("/metadata/annotations/" + HOOK.replace("/", "~1")).asText()))
                .toList();
        assertEquals(1, tests.size(), "one helm test pod");
        try {
            assertTrue(Files.readString(CHART.resolve("templates/tests/test-connection.yaml"))
                    .contains("\n    helm.sh/hook: test\n"), "the pod is a helm test hook");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        JsonNode pod = tests.get(0);
        JsonNode service = r.one("Service");
        List<String> command = new ArrayList<>();
        pod.at("/spec/containers/0/command").forEach(c -> command.add(c.asText()));
        assertEquals("curl", command.get(0));
        assertTrue(command.contains("--fail"), command.toString());
        assertEquals("http://" + service.at("/metadata/name").asText() + ":8081/q/health/ready",
                command.get(command.size() - 1));
        assertEquals("Never", pod.at("/spec/restartPolicy").asText());
        assertTrue(pod.at("/spec/securityContext/runAsNonRoot").asBoolean());
        assertTrue(pod.at("/spec/containers/0/securityContext/readOnlyRootFilesystem").asBoolean());
        assertFalse(pod.at("/spec/containers/0/securityContext/allowPrivilegeEscalation").asBoolean(true));
        // the Service must not send traffic to it
        boolean selected = true;
        for (Iterator<Map.Entry<String, JsonNode>> it = service.at("/spec/selector").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            selected &= e.getValue().equals(pod.at("/metadata/labels").path(e.getKey()));
        }
        assertFalse(selected, "the Service's selector does not match the test pod");
    }

    @Test
    void theNetworkPolicyIsOptionalAndLetsInOnlyThePeersGiven() {
        assertEquals(List.of(), render(t -> t.set("postgresql.host", "db")).all("NetworkPolicy"), "off by default");

        JsonNode open = render(t -> t.set("postgresql.host", "db").set("networkPolicy.enabled", true))
                .one("NetworkPolicy");
        assertEquals("[\"Ingress\"]", open.at("/spec/policyTypes").toString());
        assertTrue(open.at("/spec/ingress/0/from").isMissingNode(), "no peers given: any source");
        assertEquals("http", open.at("/spec/ingress/0/ports/0/port").asText());

        Rendered r = renderWithHooks(t -> t.withValuesFile(CHART.resolve("ci/networkpolicy-values.yaml")));
        JsonNode policy = r.one("NetworkPolicy");
        assertEquals(r.one("Service").at("/spec/selector"), policy.at("/spec/podSelector/matchLabels"));
        assertEquals("[\"Ingress\",\"Egress\"]", policy.at("/spec/policyTypes").toString());
        JsonNode from = policy.at("/spec/ingress/0/from");
        assertEquals(3, from.size(), from.toString());
        JsonNode testPod = r.all("Pod").get(0);
        assertEquals(testPod.at("/metadata/labels/app.kubernetes.io~1component"),
                from.at("/0/podSelector/matchLabels/app.kubernetes.io~1component"), "helm test gets in");
        assertEquals("ingress-nginx",
                from.at("/1/namespaceSelector/matchLabels/kubernetes.io~1metadata.name").asText());
        assertEquals(53, policy.at("/spec/egress/0/ports/0/port").asInt(), "DNS");
        assertEquals(5432, policy.at("/spec/egress/1/ports/0/port").asInt());
        assertEquals(443, policy.at("/spec/egress/2/ports/0/port").asInt());
    }

    /**
     * The README's parameter table has a row for every {@code ## @param} of values.yaml, with its description.
     * (.ci/check-chart-readme regenerates the table with Bitnami's readme-generator-for-helm and compares it
     * exactly; this catches a forgotten regeneration without npm.)
     */
    @Test
    void theReadmeListsEveryParameter() throws IOException {
        String readme = Files.readString(CHART.resolve("README.md"));
        Matcher m = Pattern.compile("(?m)^\\s*## @param (\\S+) (?:\\[[^\\]]*\\] )?(.+)$")
                .matcher(Files.readString(CHART.resolve("values.yaml")));
        int n = 0;
        while (m.find()) {
            n++;
            Matcher row = Pattern.compile("(?m)^\\| `" + Pattern.quote(m.group(1)) + "` +\\| (.+?) +\\|")
                    .matcher(readme);
            assertTrue(row.find(), m.group(1) + " is not in helm/yardstick/README.md: regenerate it");
            assertEquals(m.group(2).trim(), row.group(1).trim(), m.group(1) + "'s description in the README");
        }
        assertTrue(n > 100, "found the parameters: " + n);
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
        return render(renderable(), options);
    }

    /**
     * Renders hooks too: helm-java's template leaves hook resources out, so a copy of the chart has each
     * {@code helm.sh/hook} annotation renamed to {@value #HOOK} (the original is checked to say {@code test}).
     */
    static Rendered renderWithHooks(UnaryOperator<TemplateCommand> options) {
        return render(withHooks(), options);
    }

    static final String HOOK = "rendered.hook/helm.sh-hook";
    private static Path withHooks;

    static synchronized Path withHooks() {
        if (withHooks == null) {
            try {
                Path copy = Files.createTempDirectory("yardstick-chart-hooks").resolve("yardstick");
                copyTree(renderable(), copy);
                try (Stream<Path> files = Files.walk(copy.resolve("templates"))) {
                    for (Path f : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                        Files.writeString(f, Files.readString(f).replace("helm.sh/hook:", HOOK + ":"));
                    }
                }
                withHooks = copy;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return withHooks;
    }

    static Rendered render(Path chart, UnaryOperator<TemplateCommand> options) {
        String yaml = options.apply(new Helm(chart).template().withName("yardstick").withNamespace("ys")).call();
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

    private static Path renderable;

    /**
     * A copy of the chart without its {@code kubeVersion}: helm-java renders for Kubernetes v1.20 and has no option
     * to say otherwise, so the constraint (checked in {@link #theChartIsDescribedAsChartRepositoriesExpect}) would
     * refuse every rendering.
     */
    static synchronized Path renderable() {
        if (renderable == null) {
            try {
                Path copy = Files.createTempDirectory("yardstick-chart").resolve("yardstick");
                copyTree(CHART, copy);
                withoutKubeVersion(copy);
                renderable = copy;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return renderable;
    }

    static void withoutKubeVersion(Path chart) throws IOException {
        Path file = chart.resolve("Chart.yaml");
        String text = Files.readString(file);
        String without = text.replaceFirst("(?m)^kubeVersion: .*\\R", "");
        assertFalse(text.equals(without), "Chart.yaml has a kubeVersion");
        Files.writeString(file, without);
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
