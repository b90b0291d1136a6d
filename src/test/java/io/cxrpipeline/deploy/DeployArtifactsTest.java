package io.cxrpipeline.deploy;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import javax.tools.ToolProvider;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * infra/deploy/CheckArtifacts.java, the check that {@code ./mvnw package -Dnative} and infra/deploy/check run: it
 * passes a native zip only when its bootstrap is an x86-64 ELF executable, and a JVM zip only when it is this
 * project's Quarkus JVM layout; the deploy check's placeholder is written only where it is told.
 */
class DeployArtifactsTest {

    @TempDir
    static Path classes;
    @TempDir
    Path target;

    /** The first 20 bytes of an ELF header: magic, class (2 = 64-bit), little-endian, version; e_machine at 18. */
    static byte[] elf(int machine) {
        byte[] h = new byte[64];
        System.arraycopy(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1}, 0, h, 0, 7);
        h[16] = 2; // ET_EXEC
        h[18] = (byte) machine;
        h[19] = (byte) (machine >> 8);
        return h;
    }

    static final byte[] X86_64 = elf(0x3E);
    static final byte[] AARCH64 = elf(0xB7);

    static void zip(Path zip, Map<String, byte[]> entries) throws IOException {
        Files.createDirectories(zip.getParent());
        try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(out)) {
            for (var e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
    }

    static Map<String, byte[]> jvmLayout() {
        byte[] x = {1};
        return Map.of("lib/io.quarkus.quarkus-funqy-amazon-lambda-3.34.2.jar", x,
                "lib/com.microsoft.onnxruntime.onnxruntime-1.29.0.jar", x,
                "io/cxrpipeline/inference/PredictFunction.class", x);
    }

    record Result(int exit, String output) {
    }

    @BeforeAll
    static void compile() {
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(),
                "infra/deploy/CheckArtifacts.java"));
    }

    static Result run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", classes.toString(), "CheckArtifacts"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out);
    }

    @Test
    void bothArtifactsAsDeployedPass() throws Exception {
        zip(target.resolve("jvm/function.zip"), jvmLayout());
        zip(target.resolve("native/function.zip"), Map.of("bootstrap", X86_64));
        Result r = run("check", target.toString());
        assertEquals(0, r.exit(), r.output());
        assertThat(r.output(), containsString("bootstrap is an x86-64 ELF executable"));
    }

    @Test
    void aNativeZipWhoseBootstrapIsNotNativeFails() throws Exception {
        zip(target.resolve("native/function.zip"), Map.of("bootstrap", "#!/bin/sh\nexec java -jar x.jar\n"
                .getBytes(StandardCharsets.UTF_8)));
        Result r = run("check", "--native", target.toString());
        assertEquals(1, r.exit());
        assertThat(r.output(), containsString("bootstrap is not an ELF executable"));
    }

    @Test
    void aNativeZipForAnotherArchitectureFails() throws Exception {
        zip(target.resolve("native/function.zip"), Map.of("bootstrap", AARCH64));
        Result r = run("check", "--native", target.toString());
        assertEquals(1, r.exit());
        assertThat(r.output(), containsString("not x86-64"));
    }

    @Test
    void theJvmZipWhereTheNativeOneBelongsFailsAndViceVersa() throws Exception {
        zip(target.resolve("native/function.zip"), jvmLayout());
        zip(target.resolve("jvm/function.zip"), Map.of("bootstrap", X86_64));
        Result r = run("check", target.toString());
        assertEquals(1, r.exit());
        assertThat(r.output(), containsString("has no bootstrap at its root"));
        assertThat(r.output(), containsString("it is a native zip, predict needs the JVM zip"));
    }

    @Test
    void missingArtifactsFailNamingTheBuild() throws Exception {
        Result r = run("check", target.toString());
        assertEquals(1, r.exit());
        assertThat(r.output(), containsString("run ./mvnw package (the JVM build"));
        assertThat(r.output(), containsString("run ./mvnw package -Dnative"));
    }

    @Test
    void thePlaceholderIsWrittenOnlyIntoTheCheckCopyAndOnlyWhenAsked(@TempDir Path out) throws Exception {
        zip(target.resolve("jvm/function.zip"), jvmLayout());
        Result refused = run("stage", target.toString(), out.toString());
        assertEquals(1, refused.exit(), "no placeholder unless asked");

        Result r = run("stage", target.toString(), out.toString(), "--placeholder-native");
        assertEquals(0, r.exit(), r.output());
        assertThat(r.output(), containsString("NOT checked"));
        assertTrue(Files.exists(out.resolve("target/native/function.zip")));
        assertTrue(Files.notExists(target.resolve("native/function.zip")), "never in the build's own target/");
        Result placeholder = run("check", "--native", out.resolve("target").toString());
        assertEquals(1, placeholder.exit(), "a placeholder never passes as native");
    }
}
