package io.cxrpipeline.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.commons.ClassRemapper;
import org.objectweb.asm.commons.Remapper;

/**
 * Which AWS calls a function can make, read from the compiled classes: the project classes reachable from its entry
 * classes (every type a class mentions, and for an interface or superclass every implementation), and the AWS SDK
 * client methods those classes call, turned into IAM actions ({@code putItem} → {@code dynamodb:PutItem},
 * {@code queryPaginator} → {@code dynamodb:Query}). An over-approximation by design: a grant the code might need is
 * never missed.
 */
final class CodeReach {

    static final String PROJECT = "io/cxrpipeline/";
    private static final Map<String, String> SERVICES = Map.of(
            "software/amazon/awssdk/services/dynamodb/DynamoDbClient", "dynamodb",
            "software/amazon/awssdk/services/s3/S3Client", "s3");
    /** S3 client methods whose IAM action is not their name. */
    private static final Map<String, String> S3_ACTIONS = Map.of(
            "headObject", "s3:GetObject", "getObjectAsBytes", "s3:GetObject", "listObjectsV2", "s3:ListBucket",
            "createMultipartUpload", "s3:PutObject", "uploadPart", "s3:PutObject",
            "completeMultipartUpload", "s3:PutObject");

    /** Client methods that make no request. */
    private static final Set<String> NOT_CALLS = Set.of("close", "serviceName", "serviceClientConfiguration",
            "utilities", "waiter");

    /** One project class: what it mentions, what it extends or implements, the IAM actions of its SDK calls. */
    record ClassFacts(String name, Set<String> mentions, Set<String> supertypes, Set<String> actions,
            boolean queriesAnIndex) {
    }

    final Map<String, ClassFacts> classes = new HashMap<>();
    private final Map<String, Set<String>> implementations = new HashMap<>();

    /** Reads every project class under {@code classesDir}, leaving out packages that are not deployed. */
    CodeReach(Path classesDir, Predicate<String> deployed) {
        try (Stream<Path> files = Files.walk(classesDir)) {
            for (Path p : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                try (InputStream in = Files.newInputStream(p)) {
                    ClassFacts facts = read(new ClassReader(in));
                    if (facts.name().startsWith(PROJECT) && deployed.test(facts.name())) {
                        classes.put(facts.name(), facts);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        classes.values().forEach(c -> c.supertypes().forEach(s -> implementations
                .computeIfAbsent(s, k -> new HashSet<>()).add(c.name())));
    }

    /**
     * The classes reachable from {@code entries}; {@code stop} classes are entered only as entries (the routes of
     * other functions, reachable through the shared router, are never dispatched to).
     */
    Set<String> reachable(Collection<String> entries, Predicate<String> stop) {
        Set<String> seen = new TreeSet<>(entries);
        Deque<String> todo = new ArrayDeque<>(entries);
        while (!todo.isEmpty()) {
            ClassFacts c = classes.get(todo.pop());
            if (c == null) {
                continue;
            }
            Set<String> next = new HashSet<>(c.mentions());
            next.addAll(implementations.getOrDefault(c.name(), Set.of()));
            for (String n : next) {
                if (classes.containsKey(n) && !stop.test(n) && seen.add(n)) {
                    todo.push(n);
                }
            }
        }
        return seen;
    }

    /** The IAM actions of the SDK calls of {@code reachable}, with a prefix (e.g. {@code dynamodb:}). */
    Set<String> actions(Set<String> reachable, String prefix) {
        Set<String> out = new TreeSet<>();
        reachable.stream().map(classes::get).forEach(c -> c.actions().stream().filter(a -> a.startsWith(prefix))
                .forEach(out::add));
        return out;
    }

    private static ClassFacts read(ClassReader reader) {
        Set<String> mentions = new HashSet<>();
        Set<String> actions = new HashSet<>();
        boolean[] indexName = {false};
        Remapper collector = new Remapper() {
            @Override
            public String map(String internalName) {
                mentions.add(internalName);
                return internalName;
            }
        };
        ClassVisitor calls = new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                    String[] exceptions) {
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String method, String desc, boolean itf) {
                        String service = SERVICES.get(owner);
                        if (service != null && !NOT_CALLS.contains(method)) {
                            actions.add(action(service, method));
                        }
                        if (owner.equals("software/amazon/awssdk/services/dynamodb/model/QueryRequest$Builder")
                                && method.equals("indexName")) {
                            indexName[0] = true;
                        }
                    }
                };
            }
        };
        reader.accept(new ClassRemapper(calls, collector), 0);
        Set<String> supertypes = new HashSet<>(Set.of(reader.getInterfaces()));
        if (reader.getSuperName() != null) {
            supertypes.add(reader.getSuperName());
        }
        mentions.remove(reader.getClassName());
        return new ClassFacts(reader.getClassName(), mentions, supertypes, actions,
                indexName[0] && actions.contains("dynamodb:Query"));
    }

    static String action(String service, String method) {
        if (service.equals("s3") && S3_ACTIONS.containsKey(method)) {
            return S3_ACTIONS.get(method);
        }
        String m = method.endsWith("Paginator") ? method.substring(0, method.length() - "Paginator".length()) : method;
        return service + ":" + Character.toUpperCase(m.charAt(0)) + m.substring(1);
    }
}
