package io.cxrpipeline.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A CloudFormation/SAM template read as plain maps, with the short-form tags in their long form
 * ({@code !Ref X} → {@code {Ref: X}}, {@code !Sub s} → {@code {Fn::Sub: s}}, …), so tests can look into them.
 */
final class CfnTemplate {

    final Map<String, Object> root;

    private CfnTemplate(Map<String, Object> root) {
        this.root = root;
    }

    static CfnTemplate load(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return new CfnTemplate(new Yaml(new Constructor(new LoaderOptions())).load(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** template.yaml at the project root. */
    static CfnTemplate project() {
        return load(Path.of("template.yaml"));
    }

    Map<String, Object> section(String name) {
        return map(root.get(name));
    }

    Map<String, Object> resource(String logicalId) {
        return Objects.requireNonNull(map(section("Resources").get(logicalId)), "no resource " + logicalId);
    }

    Map<String, Object> properties(String logicalId) {
        return map(resource(logicalId).get("Properties"));
    }

    /** The resources of a type, by logical id, in template order. */
    Map<String, Map<String, Object>> ofType(String type) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        section("Resources").forEach((id, r) -> {
            if (type.equals(map(r).get("Type"))) {
                out.put(id, map(r));
            }
        });
        return out;
    }

    /** Properties of every AWS::Serverless::Function, by logical id. */
    Map<String, Map<String, Object>> functions() {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        ofType("AWS::Serverless::Function").forEach((id, r) -> out.put(id, map(r.get("Properties"))));
        return out;
    }

    /** The function's {@code QUARKUS_FUNQY_EXPORT}. */
    static String export(Map<String, Object> function) {
        return (String) map(map(function.get("Environment")).get("Variables")).get("QUARKUS_FUNQY_EXPORT");
    }

    Map<String, Object> parameter(String name) {
        return Objects.requireNonNull(map(section("Parameters").get(name)), "no parameter " + name);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return o instanceof List<?> l ? (List<Object>) l : List.of(o);
    }

    /** {@code {Ref: name}}. */
    static Map<String, Object> ref(String name) {
        return Map.of("Ref", name);
    }

    /** {@code {Fn::GetAtt: resource.attribute}}. */
    static Map<String, Object> getAtt(String resourceAndAttribute) {
        return Map.of("Fn::GetAtt", resourceAndAttribute);
    }

    /** {@code {Fn::Sub: text}}. */
    static Map<String, Object> sub(String text) {
        return Map.of("Fn::Sub", text);
    }

    /** Every IAM statement of a template-level policy document or SAM {@code Policies} list, in order. */
    static List<Map<String, Object>> statements(Object policies) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object p : list(policies)) {
            if (p instanceof Map<?, ?> m && m.get("Statement") != null) {
                list(m.get("Statement")).forEach(s -> out.add(map(s)));
            }
        }
        return out;
    }

    /** Reads CloudFormation short-form tags as their long form. */
    private static final class Constructor extends SafeConstructor {
        Constructor(LoaderOptions options) {
            super(options);
            for (String tag : List.of("Ref", "Condition", "Sub", "GetAtt", "If", "Equals", "Join", "Select", "Split",
                    "FindInMap", "ImportValue", "Not", "And", "Or", "Base64", "Cidr", "GetAZs")) {
                String key = tag.equals("Ref") || tag.equals("Condition") ? tag : "Fn::" + tag;
                this.yamlConstructors.put(new Tag("!" + tag), new AbstractConstruct() {
                    @Override
                    public Object construct(Node node) {
                        Object value;
                        if (node instanceof ScalarNode s) {
                            value = s.getValue();
                        } else if (node instanceof SequenceNode s) {
                            value = constructSequence(s);
                        } else {
                            value = constructMapping((MappingNode) node);
                        }
                        return Map.of(key, value);
                    }
                });
            }
        }
    }
}
