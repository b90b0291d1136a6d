package io.cxrpipeline.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.jboss.jandex.AnnotationInstance;
import org.jboss.jandex.DotName;
import org.jboss.jandex.Index;
import org.jboss.jandex.Indexer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.constructor.AbstractConstruct;

import io.cxrpipeline.catalog.aws.TableDefinition;
import io.cxrpipeline.catalog.TableKeys;
import io.cxrpipeline.api.Route;
import io.cxrpipeline.testing.EmulatorsResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

/** template.yaml agrees with the code: exported functions exist, routes are served, the table matches. */
@QuarkusTest
@QuarkusTestResource(value = EmulatorsResource.class, restrictToAnnotatedClass = false)
class TemplateTest {

    @Inject
    @Any
    Instance<Route> routes;

    private static Map<String, Object> template;
    private static Map<String, Object> resources;
    private static Index index;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void load() throws IOException {
        LoaderOptions options = new LoaderOptions();
        Yaml yaml = new Yaml(new CloudFormationConstructor(options));
        try (InputStream in = Files.newInputStream(Path.of("template.yaml"))) {
            template = yaml.load(in);
            resources = (Map<String, Object>) template.get("Resources");
        }
        Indexer indexer = new Indexer();
        try (Stream<Path> classes = Files.walk(Path.of("target/classes"))) {
            for (Path p : classes.filter(p -> p.toString().endsWith(".class")).toList()) {
                try (InputStream in = Files.newInputStream(p)) {
                    indexer.index(in);
                }
            }
        }
        index = indexer.complete();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> globals() {
        return (Map<String, Object>) ((Map<String, Object>) template.get("Globals")).get("Function");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> functions() {
        Map<String, Map<String, Object>> functions = new java.util.LinkedHashMap<>();
        resources.forEach((name, r) -> {
            Map<String, Object> resource = (Map<String, Object>) r;
            if ("AWS::Serverless::Function".equals(resource.get("Type"))) {
                functions.put(name, (Map<String, Object>) resource.get("Properties"));
            }
        });
        return functions;
    }

    @SuppressWarnings("unchecked")
    private static String export(Map<String, Object> function) {
        Map<String, Object> env = (Map<String, Object>) function.get("Environment");
        return (String) ((Map<String, Object>) env.get("Variables")).get("QUARKUS_FUNQY_EXPORT");
    }

    @Test
    void everyFunctionExportsAFunqyFunctionThatExists() {
        Set<String> funqs = new TreeSet<>();
        for (AnnotationInstance funq : index.getAnnotations(DotName.createSimple("io.quarkus.funqy.Funq"))) {
            funqs.add(funq.value() != null ? funq.value().asString() : funq.target().asMethod().name());
        }
        Set<String> exported = new TreeSet<>();
        functions().forEach((name, f) -> {
            String export = export(f);
            assertNotNull(export, name + " sets no QUARKUS_FUNQY_EXPORT");
            exported.add(export);
        });
        assertEquals(funqs, exported, "template functions vs @Funq methods");
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyApiRouteOfTheCodeIsWiredInTheTemplate() {
        Set<String> wired = new HashSet<>();
        functions().forEach((name, f) -> {
            Map<String, Object> events = (Map<String, Object>) f.getOrDefault("Events", Map.of());
            events.values().forEach(e -> {
                Map<String, Object> event = (Map<String, Object>) e;
                if ("HttpApi".equals(event.get("Type"))) {
                    Map<String, Object> p = (Map<String, Object>) event.get("Properties");
                    wired.add(export(f) + " " + p.get("Method") + " " + p.get("Path"));
                }
            });
        });
        List<String> missing = new ArrayList<>();
        for (Route r : routes) {
            String route = r.function() + " " + r.method() + " " + r.pathTemplate();
            if (!wired.contains(route)) {
                missing.add(route);
            }
        }
        assertTrue(missing.isEmpty(), "routes served by the code but not wired in template.yaml: " + missing
                + " (wired: " + wired + ")");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theTableMatchesTheKeyLayoutTheCodeUses() {
        Map<String, Object> table = (Map<String, Object>) ((Map<String, Object>) resources.get("IndexTable"))
                .get("Properties");
        List<Map<String, Object>> keys = (List<Map<String, Object>>) table.get("KeySchema");
        assertEquals(TableKeys.PK, keys.get(0).get("AttributeName"));
        assertEquals(TableKeys.SK, keys.get(1).get("AttributeName"));
        List<Map<String, Object>> gsis = (List<Map<String, Object>>) table.get("GlobalSecondaryIndexes");
        assertEquals(TableKeys.GSI1, gsis.get(0).get("IndexName"));
        assertEquals(TableDefinition.createTableRequest("t").globalSecondaryIndexes().get(0).keySchema().size(),
                ((List<?>) gsis.get(0).get("KeySchema")).size());
        assertEquals("PAY_PER_REQUEST", table.get("BillingMode"));
    }

    @Test
    void functionsRunTheNativeArtifactOnAl2023AndPredictTheJvmArtifact() {
        functions().forEach((name, f) -> {
            if ("predict".equals(export(f))) {
                // ONNX Runtime's JNI is not verified in a native image: the JVM zip through Funqy's handler.
                assertEquals("java21", f.get("Runtime"), name);
                assertEquals("target/jvm/function.zip", f.get("CodeUri"), name);
                assertEquals("io.quarkus.funqy.lambda.FunqyStreamHandler::handleRequest", f.get("Handler"), name);
            } else {
                // Globals carry the runtime and the code: nobody may fall back to the retired 'provided'.
                assertNull(f.get("Runtime"), name + " overrides the runtime");
                assertNull(f.get("CodeUri"), name + " overrides CodeUri");
            }
        });
        assertEquals("provided.al2023", globals().get("Runtime"));
        assertEquals("target/function.zip", globals().get("CodeUri"));
    }

    /** Reads CloudFormation short-form tags (!Ref, !Sub, !GetAtt, …) as plain values. */
    static final class CloudFormationConstructor extends SafeConstructor {
        CloudFormationConstructor(LoaderOptions options) {
            super(options);
            for (String tag : List.of("Ref", "Sub", "GetAtt", "If", "Equals", "Join", "Select", "Split", "FindInMap",
                    "ImportValue", "Not", "And", "Or", "Base64", "Cidr", "GetAZs", "Condition")) {
                this.yamlConstructors.put(new Tag("!" + tag), new AbstractConstruct() {
                    @Override
                    public Object construct(Node node) {
                        if (node instanceof ScalarNode s) {
                            return "!" + tag + " " + s.getValue();
                        } else if (node instanceof SequenceNode s) {
                            return constructSequence(s);
                        }
                        return constructMapping((MappingNode) node);
                    }
                });
            }
        }
    }
}
