package io.cxrpipeline.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

import io.cxrpipeline.local.LocalStack;
import io.quarkus.funqy.Funq;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.config.ConfigMapping;

/**
 * What the native executable (index-objects, api, training-events; the pom's {@code native} profile) is made of,
 * checked without building it. That build compiles the application without the packages its compiler excludes
 * (inference: predict stays on the JVM) and without ONNX Runtime and quarkus-awt on its classpath; every bean left
 * is in it ({@code ApiRouter} takes every {@link io.cxrpipeline.api.Route} bean), so no class left may use ONNX
 * Runtime, AWT or ImageIO, or the excluded packages. Records and enums left are (de)serialised by Jackson through
 * reflection, which a native image allows only for registered classes: each carries {@code @RegisterForReflection}
 * or is listed in the build's reflection metadata.
 */
class NativeFunctionsTest {

    static final String METADATA = "META-INF/native-image/io.cxrpipeline/cxr-pipeline/reflect-config.json";

    static Element pom;
    static List<String> excludedPackages;
    static JavaClasses main;
    static JavaClasses nativeClasses;

    @BeforeAll
    static void readBuild() throws Exception {
        pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile())
                .getDocumentElement();
        excludedPackages = new ArrayList<>();
        for (Element exclude : descendants(profile("native"), "exclude")) {
            String pattern = exclude.getTextContent().trim();
            assertTrue(pattern.endsWith("/**"), "the native build excludes whole packages: " + pattern);
            excludedPackages.add(pattern.substring(0, pattern.length() - 3).replace('/', '.'));
        }
        main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ArchitectureTest.BASE);
        nativeClasses = main.that(new com.tngtech.archunit.base.DescribedPredicate<>("in the native build") {
            @Override
            public boolean test(JavaClass c) {
                return !excluded(c.getName());
            }
        });
    }

    static boolean excluded(String className) {
        return excludedPackages.stream().anyMatch(p -> className.startsWith(p + "."));
    }

    @Test
    void theNativeBuildLeavesOutInferenceOnnxRuntimeAndAwt() {
        assertEquals(List.of(ArchitectureTest.BASE + ".inference"), excludedPackages);
        assertFalse(dependencyIds(pom).contains("com.microsoft.onnxruntime:onnxruntime"),
                "ONNX Runtime belongs to the jvm-functions profile, not to every build");
        assertFalse(dependencyIds(pom).contains("io.quarkus:quarkus-awt"));
        Element jvm = profile("jvm-functions");
        assertEquals("!native", descendants(jvm, "activation").get(0).getTextContent().trim(),
                "the jvm-functions profile is active in every build but the native one");
        assertTrue(dependencyIds(jvm).contains("com.microsoft.onnxruntime:onnxruntime"));
        for (Element profile : descendants(pom, "profile")) {
            Set<String> ids = dependencyIds(profile);
            if (!text(profile, "id").equals("jvm-functions")) {
                assertFalse(ids.contains("com.microsoft.onnxruntime:onnxruntime") || ids.contains("io.quarkus:quarkus-awt"),
                        text(profile, "id"));
            }
        }
    }

    @Test
    void nativeClassesUseNeitherOnnxRuntimeNorAwtNorImageIo() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("ai.onnxruntime..", "java.awt..",
                "javax.imageio..", "sun.awt..", "sun.java2d..")
                .because("the native functions must not start AWT or load ONNX Runtime; predict runs on the JVM")
                .check(nativeClasses);
    }

    @Test
    void nativeClassesDoNotUseTheExcludedPackages() {
        // Also keeps CDI honest: a bean left in the build that injects an excluded type would fail the build.
        noClasses().should().dependOnClassesThat(new com.tngtech.archunit.base.DescribedPredicate<>(
                "reside in a package the native build excludes") {
            @Override
            public boolean test(JavaClass c) {
                return excluded(c.getName());
            }
        }).check(nativeClasses);
    }

    /**
     * SmallRye Config refuses to start an application with a {@code cxr.*} property that no mapping claims
     * ({@code PipelineConfig} maps the whole {@code cxr} namespace): a value for a mapping the native build leaves
     * out, active in the profiles a native executable runs with (prod, and local on the local stack), stops all
     * three functions at start ("SRCFG00050: cxr.inference.cache-dir in Runtime Values does not map to any root").
     */
    @Test
    void noPropertyOfTheNativeProfilesBelongsToALeftOutConfigMapping() throws Exception {
        List<String> leftOut = new ArrayList<>();
        for (JavaClass c : main) {
            if (excluded(c.getName()) && c.isAnnotatedWith(ConfigMapping.class)) {
                leftOut.add(c.getAnnotationOfType(ConfigMapping.class).prefix() + ".");
            }
        }
        assertFalse(leftOut.isEmpty(), "the inference package has its config mapping");
        java.util.Properties properties = new java.util.Properties();
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("application.properties")) {
            properties.load(in);
        }
        List<String> offending = new ArrayList<>();
        for (String key : properties.stringPropertyNames()) {
            String name = key;
            if (key.startsWith("%")) {
                String profile = key.substring(1, key.indexOf('.'));
                if (!List.of("prod", "local").contains(profile)) {
                    continue;
                }
                name = key.substring(key.indexOf('.') + 1);
            }
            for (String prefix : leftOut) {
                if (name.startsWith(prefix)) {
                    offending.add(key);
                }
            }
        }
        assertEquals(List.of(), offending, "give these a default in their mapping (@WithDefault) or a %test profile");
    }

    @Test
    void theNativeExecutableExportsTheThreeFunctions() {
        Set<String> functions = new TreeSet<>();
        for (JavaClass c : nativeClasses) {
            for (JavaMethod m : c.getMethods()) {
                if (m.isAnnotatedWith(Funq.class)) {
                    String name = m.getAnnotationOfType(Funq.class).value();
                    functions.add(name.isEmpty() ? m.getName() : name);
                }
            }
        }
        assertEquals(new TreeSet<>(LocalStack.NATIVE_FUNCTIONS), functions);
    }

    @Test
    void everyRecordAndEnumIsRegisteredForReflection() throws Exception {
        Set<String> listed = new TreeSet<>();
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(METADATA)) {
            assertTrue(in != null, METADATA);
            for (JsonNode entry : new ObjectMapper().readTree(in)) {
                assertTrue(entry.path("allDeclaredConstructors").asBoolean() && entry.path("allDeclaredMethods")
                        .asBoolean() && entry.path("allDeclaredFields").asBoolean(), entry.toString());
                listed.add(entry.path("name").asText());
            }
        }
        Set<String> annotated = new TreeSet<>();
        Set<String> unregistered = new TreeSet<>();
        for (JavaClass c : nativeClasses) {
            boolean recordOrEnum = c.isEnum()
                    || c.getRawSuperclass().filter(s -> s.getName().equals(Record.class.getName())).isPresent();
            if (!recordOrEnum) {
                continue;
            }
            if (annotatedForReflection(c)) {
                annotated.add(c.getName());
            } else if (!listed.remove(c.getName())) {
                unregistered.add(c.getName());
            }
        }
        assertEquals(Set.of(), unregistered, "records and enums of the native build that carry no "
                + "@RegisterForReflection (on them or an enclosing class) and are missing from " + METADATA);
        listed.removeAll(annotated);
        assertEquals(Set.of(), listed, "entries of " + METADATA + " that name no unannotated record or enum of the "
                + "native build");
    }

    /** {@code @RegisterForReflection} on the class, or on an enclosing class (which registers nested ones too). */
    private static boolean annotatedForReflection(JavaClass c) {
        for (JavaClass o = c; o != null; o = o.getEnclosingClass().orElse(null)) {
            if (o.isAnnotatedWith(RegisterForReflection.class)
                    && (o == c || !o.getAnnotationOfType(RegisterForReflection.class).ignoreNested())) {
                return true;
            }
        }
        return false;
    }

    private static Element profile(String id) {
        for (Element profile : descendants(pom, "profile")) {
            if (text(profile, "id").equals(id)) {
                return profile;
            }
        }
        throw new AssertionError("pom.xml has no profile " + id);
    }

    /** groupId:artifactId of the dependencies declared directly under the element (not dependencyManagement). */
    private static Set<String> dependencyIds(Element owner) {
        Set<String> ids = new TreeSet<>();
        for (Node n = owner.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals("dependencies")) {
                for (Element d : descendants(e, "dependency")) {
                    ids.add(text(d, "groupId") + ":" + text(d, "artifactId"));
                }
            }
        }
        return ids;
    }

    private static String text(Element parent, String tag) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(tag)) {
                return e.getTextContent().trim();
            }
        }
        return "";
    }

    private static List<Element> descendants(Element parent, String tag) {
        NodeList nodes = parent.getElementsByTagName(tag);
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add((Element) nodes.item(i));
        }
        return out;
    }
}
