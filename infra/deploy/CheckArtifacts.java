import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Checks the two Lambda artifacts that template.yaml deploys, so that a build never hands SAM a wrong one:
 *
 * <pre>
 *   java infra/deploy/CheckArtifacts.java check [--jvm] [--native] TARGET_DIR
 *   java infra/deploy/CheckArtifacts.java stage TARGET_DIR OUT_DIR [--placeholder-native]   (infra/deploy/check)
 * </pre>
 *
 * {@code TARGET_DIR/jvm/function.zip} (predict, java21): the Quarkus JVM layout with the Funqy handler, ONNX Runtime
 * and the predict function, and no {@code bootstrap}. {@code TARGET_DIR/native/function.zip} (the provided.al2023
 * functions): {@code bootstrap} at the root, an x86-64 ELF executable (template.yaml deploys x86_64). Exit status 1
 * names what is wrong. Runs as a single-file source program (JDK 11+), from Maven or by hand.
 */
public final class CheckArtifacts {

    /** ELF magic, then EI_CLASS 2 (64-bit); e_machine at offset 18 (little-endian) is 0x3E for x86-64. */
    private static final byte[] ELF = {0x7f, 'E', 'L', 'F'};
    private static final int EM_X86_64 = 0x3E;
    /** What a placeholder bootstrap says when it is run: it must never be mistaken for a function. */
    static final String PLACEHOLDER = "#!/bin/sh\n"
            + "echo 'placeholder bootstrap from infra/deploy/check: build the native zip (./mvnw package -Dnative)' >&2\n"
            + "exit 1\n";

    private CheckArtifacts() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length >= 3 && args[0].equals("stage")) {
            stage(Path.of(args[1]), Path.of(args[2]), args.length > 3 && args[3].equals("--placeholder-native"));
            return;
        }
        if (args.length < 2 || !args[0].equals("check")) {
            usage();
        }
        boolean jvm = false;
        boolean nativeZip = false;
        for (int i = 1; i < args.length - 1; i++) {
            switch (args[i]) {
                case "--jvm" -> jvm = true;
                case "--native" -> nativeZip = true;
                default -> usage();
            }
        }
        if (!jvm && !nativeZip) {
            jvm = nativeZip = true;
        }
        Path target = Path.of(args[args.length - 1]);
        List<String> problems = new ArrayList<>();
        if (jvm) {
            problems.addAll(checkJvm(target.resolve("jvm/function.zip")));
        }
        if (nativeZip) {
            problems.addAll(checkNative(target.resolve("native/function.zip")));
        }
        failIfAny(problems);
    }

    private static void failIfAny(List<String> problems) {
        if (!problems.isEmpty()) {
            System.err.println("DEPLOY ARTIFACTS ARE NOT DEPLOYABLE:");
            problems.forEach(p -> System.err.println("  - " + p));
            System.exit(1);
        }
    }

    private static void usage() {
        System.err.println("usage: CheckArtifacts check [--jvm] [--native] TARGET_DIR"
                + " | stage TARGET_DIR OUT_DIR [--placeholder-native]");
        System.exit(2);
    }

    /**
     * Copies both artifacts into {@code out/target/{jvm,native}/function.zip} for the deploy check. The JVM zip must
     * pass; a native zip that does not is replaced, with {@code placeholderNative}, by a placeholder written only
     * into {@code out}, and said so.
     */
    static void stage(Path target, Path out, boolean placeholderNative) throws IOException {
        Path jvm = target.resolve("jvm/function.zip");
        failIfAny(checkJvm(jvm));
        Files.createDirectories(out.resolve("target/jvm"));
        Files.copy(jvm, out.resolve("target/jvm/function.zip"), StandardCopyOption.REPLACE_EXISTING);
        Path nativeZip = target.resolve("native/function.zip");
        Path staged = out.resolve("target/native/function.zip");
        List<String> problems = checkNative(nativeZip);
        Files.createDirectories(staged.getParent());
        if (problems.isEmpty()) {
            Files.copy(nativeZip, staged, StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        if (!placeholderNative) {
            failIfAny(problems);
        }
        problems.forEach(p -> System.out.println("not deployable: " + p));
        placeholder(staged);
        System.out.println("PLACEHOLDER: IndexObjectsFunction, ApiFunction and TrainingEventsFunction are packaged from a");
        System.out.println("PLACEHOLDER: placeholder bootstrap written only to " + staged + ";");
        System.out.println("PLACEHOLDER: their native code is NOT checked here. A deployment needs ./mvnw package -Dnative.");
    }

    /** What is wrong with the JVM zip of predict; empty when it is fine. */
    static List<String> checkJvm(Path zip) throws IOException {
        if (!Files.isRegularFile(zip)) {
            return List.of(zip + " is missing: run ./mvnw package (the JVM build writes it for predict)");
        }
        List<String> problems = new ArrayList<>();
        try (ZipFile z = open(zip, problems)) {
            if (z == null) {
                return problems;
            }
            if (z.getEntry("bootstrap") != null) {
                problems.add(zip + " has a bootstrap at its root: it is a native zip, predict needs the JVM zip");
            }
            for (String needed : List.of("lib/io.quarkus.quarkus-funqy-amazon-lambda-",
                    "lib/com.microsoft.onnxruntime.onnxruntime-", "io/cxrpipeline/inference/PredictFunction.class")) {
                if (Collections.list(z.entries()).stream().noneMatch(e -> e.getName().startsWith(needed))) {
                    problems.add(zip + " lacks " + needed + "*: not the Quarkus JVM function.zip of this project");
                }
            }
        }
        if (problems.isEmpty()) {
            System.out.println("ok  " + zip + ": JVM zip for predict (" + Files.size(zip) + " bytes)");
        }
        return problems;
    }

    /** What is wrong with the native zip; empty when its bootstrap is an x86-64 ELF executable. */
    static List<String> checkNative(Path zip) throws IOException {
        if (!Files.isRegularFile(zip)) {
            return List.of(zip + " is missing: run ./mvnw package -Dnative (GraalVM/Mandrel, or add "
                    + "-Dquarkus.native.container-build=true with Docker)");
        }
        List<String> problems = new ArrayList<>();
        try (ZipFile z = open(zip, problems)) {
            if (z == null) {
                return problems;
            }
            ZipEntry bootstrap = z.getEntry("bootstrap");
            if (bootstrap == null) {
                return List.of(zip + " has no bootstrap at its root: not a native Lambda zip");
            }
            byte[] head;
            try (InputStream in = z.getInputStream(bootstrap)) {
                head = in.readNBytes(20);
            }
            if (head.length < 20 || head[0] != ELF[0] || head[1] != ELF[1] || head[2] != ELF[2] || head[3] != ELF[3]) {
                String start = new String(head, StandardCharsets.ISO_8859_1).split("\n", 2)[0];
                problems.add(zip + ": bootstrap is not an ELF executable (it starts with '" + start
                        + "'): build the native image with ./mvnw package -Dnative");
            } else if (head[4] != 2 || ((head[18] & 0xff) | (head[19] & 0xff) << 8) != EM_X86_64) {
                problems.add(zip + ": bootstrap is an ELF file but not x86-64, the architecture template.yaml deploys");
            }
        }
        if (problems.isEmpty()) {
            System.out.println("ok  " + zip + ": native zip, bootstrap is an x86-64 ELF executable ("
                    + Files.size(zip) + " bytes)");
        }
        return problems;
    }

    private static ZipFile open(Path zip, List<String> problems) {
        try {
            return new ZipFile(zip.toFile());
        } catch (IOException e) {
            problems.add(zip + " is not a zip file: " + e.getMessage());
            return null;
        }
    }

    /** A zip whose bootstrap is a script that fails: only ever written inside the deploy check's own copy. */
    static void placeholder(Path zip) throws IOException {
        Files.createDirectories(zip.toAbsolutePath().getParent());
        try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry("bootstrap"));
            z.write(PLACEHOLDER.getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
        }
    }
}
