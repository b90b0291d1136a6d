package io.cxrpipeline.deploy;

import static io.cxrpipeline.deploy.CfnTemplate.export;
import static io.cxrpipeline.deploy.CfnTemplate.list;
import static io.cxrpipeline.deploy.CfnTemplate.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.jboss.jandex.AnnotationInstance;
import org.jboss.jandex.DotName;
import org.jboss.jandex.Index;
import org.jboss.jandex.Indexer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cxrpipeline.catalog.aws.TableDefinition;
import io.cxrpipeline.catalog.TableKeys;
import io.cxrpipeline.api.Route;
import io.cxrpipeline.testing.EmulatorsResource;
import io.quarkus.arc.ClientProxy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

/**
 * template.yaml agrees with the code: exported functions exist, routes are served, the table matches, each function
 * runs the artifact built for it, and each function's role grants exactly the DynamoDB actions its code can call.
 */
@QuarkusTest
@QuarkusTestResource(value = EmulatorsResource.class, restrictToAnnotatedClass = false)
class TemplateTest {

    @Inject
    @Any
    Instance<Route> routes;

    private static CfnTemplate template;
    private static Index index;

    @BeforeAll
    static void load() throws IOException {
        template = CfnTemplate.project();
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

    private static Map<String, Map<String, Object>> functions() {
        return template.functions();
    }

    /** The class declaring each exported {@code @Funq} method, by export name (internal class names). */
    private static Map<String, String> funqClasses() {
        Map<String, String> out = new TreeMap<>();
        for (AnnotationInstance funq : index.getAnnotations(DotName.createSimple("io.quarkus.funqy.Funq"))) {
            String name = funq.value() != null ? funq.value().asString() : funq.target().asMethod().name();
            out.put(name, funq.target().asMethod().declaringClass().name().toString().replace('.', '/'));
        }
        return out;
    }

    @Test
    void everyFunctionExportsAFunqyFunctionThatExists() {
        Set<String> exported = new TreeSet<>();
        functions().forEach((name, f) -> {
            String export = export(f);
            assertNotNull(export, name + " sets no QUARKUS_FUNQY_EXPORT");
            exported.add(export);
        });
        assertEquals(funqClasses().keySet(), exported, "template functions vs @Funq methods");
    }

    @Test
    void everyApiRouteOfTheCodeIsWiredInTheTemplate() {
        Set<String> wired = new HashSet<>();
        functions().forEach((name, f) -> {
            Map<String, Object> events = map(f.getOrDefault("Events", Map.of()));
            events.values().forEach(e -> {
                Map<String, Object> event = map(e);
                if ("HttpApi".equals(event.get("Type"))) {
                    Map<String, Object> p = map(event.get("Properties"));
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
    void theTableMatchesTheKeyLayoutTheCodeUses() {
        Map<String, Object> table = template.properties("IndexTable");
        List<Object> keys = list(table.get("KeySchema"));
        assertEquals(TableKeys.PK, map(keys.get(0)).get("AttributeName"));
        assertEquals(TableKeys.SK, map(keys.get(1)).get("AttributeName"));
        Map<String, Object> gsi = map(list(table.get("GlobalSecondaryIndexes")).get(0));
        assertEquals(TableKeys.GSI1, gsi.get("IndexName"));
        assertEquals(TableDefinition.createTableRequest("t").globalSecondaryIndexes().get(0).keySchema().size(),
                list(gsi.get("KeySchema")).size());
        assertEquals("PAY_PER_REQUEST", table.get("BillingMode"));
    }

    @Test
    void eachFunctionRunsTheArtifactBuiltForIt() {
        Map<String, Object> globals = map(template.section("Globals").get("Function"));
        // SAM rewrites each function's CodeUri for sam build / sam package, not the one in Globals.
        assertNull(globals.get("CodeUri"), "a CodeUri in Globals is not packaged by sam build");
        assertEquals("provided.al2023", globals.get("Runtime"));
        assertEquals(List.of("x86_64"), globals.get("Architectures"), "CheckArtifacts checks for x86-64 ELF");
        functions().forEach((name, f) -> {
            if ("predict".equals(export(f))) {
                // ONNX Runtime's JNI is not verified in a native image: the JVM zip through Funqy's handler.
                assertEquals("java21", f.get("Runtime"), name);
                assertEquals("target/jvm/function.zip", f.get("CodeUri"), name);
                assertEquals("io.quarkus.funqy.lambda.FunqyStreamHandler::handleRequest", f.get("Handler"), name);
            } else {
                assertNull(f.get("Runtime"), name + " overrides the runtime");
                assertEquals("target/native/function.zip", f.get("CodeUri"), name);
            }
        });
    }

    /**
     * Least privilege, checked against the code: each function's DynamoDB actions are exactly those of the SDK calls
     * reachable from its {@code @Funq} class (and, for an HTTP function, from its own routes); its S3 actions cover
     * its S3 calls, plus {@code s3:ListBucket} only where S3 must answer 404 rather than 403.
     */
    @Test
    void eachRoleGrantsTheAwsActionsItsCodeCalls() {
        CodeReach code = new CodeReach(Path.of("target/classes"), c -> !c.startsWith(CodeReach.PROJECT + "local/"));
        Map<String, List<String>> routeClasses = new HashMap<>();
        for (Route r : routes) {
            routeClasses.computeIfAbsent(r.function(), k -> new ArrayList<>())
                    .add(ClientProxy.unwrap(r).getClass().getName().replace('.', '/'));
        }
        Set<String> allRoutes = new HashSet<>();
        routeClasses.values().forEach(allRoutes::addAll);
        Map<String, String> funqs = funqClasses();
        functions().forEach((name, f) -> {
            String export = export(f);
            List<String> entries = new ArrayList<>(routeClasses.getOrDefault(export, List.of()));
            entries.add(funqs.get(export));
            Set<String> reachable = code.reachable(entries, allRoutes::contains);
            List<Map<String, Object>> grants = TemplateHardeningTest.grants(name);
            Set<String> granted = new TreeSet<>();
            grants.forEach(s -> list(s.get("Action")).forEach(a -> granted.add((String) a)));

            Set<String> dynamo = code.actions(reachable, "dynamodb:");
            assertFalse(dynamo.isEmpty(), name + " reaches no DynamoDB call: the reachability scan is broken");
            assertEquals(dynamo, filter(granted, "dynamodb:"), name + ": DynamoDB actions granted vs called");
            boolean queriesTheTable = reachable.stream().map(code.classes::get)
                    .anyMatch(c -> c.actions().contains("dynamodb:Query") && !c.queriesAnIndex());
            assertFalse(queriesTheTable && !TemplateHardeningTest.resourcesGranting(name, "dynamodb:Query")
                    .contains(CfnTemplate.getAtt("IndexTable.Arn")), name + " queries the table itself");

            Set<String> s3 = code.actions(reachable, "s3:");
            Set<String> s3Granted = filter(granted, "s3:");
            assertTrue(s3Granted.containsAll(s3), name + ": S3 actions called " + s3 + ", granted " + s3Granted);
            s3Granted.removeAll(s3);
            s3Granted.remove("s3:ListBucket");
            assertTrue(s3Granted.isEmpty(), name + " is granted S3 actions its code never calls: " + s3Granted);
        });
    }

    private static Set<String> filter(Set<String> actions, String prefix) {
        Set<String> out = new TreeSet<>();
        actions.stream().filter(a -> a.startsWith(prefix)).forEach(out::add);
        return out;
    }
}
